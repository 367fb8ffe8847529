using Analyzer.Core.Memory;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Visualisation;

/// <summary>How feature visualisation optimises its images (docs/method.md §6: Adam, learning rate 0.05, 100 steps, random
/// transforms every step).</summary>
public sealed record VisualisationOptions
{
    /// <summary>Adam steps per image unless told otherwise (the paper's 100).</summary>
    public const int DefaultSteps = 100;

    public int Steps { get; init; } = DefaultSteps;
    public float LearningRate { get; init; } = 0.05f;
    /// <summary>Random jitter/scale(/rotation) every step; off only to test the optimiser itself.</summary>
    public bool Transforms { get; init; } = true;
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;
    /// <summary>CPU threads, shared among the concurrent runs of a step (0: one per run, or ONNX Runtime's default for one run).</summary>
    public int Threads { get; init; }
    /// <summary>What one batch's activations and gradients may take; the rows per batch follow from it.</summary>
    public MemoryBudget MemoryBudget { get; init; } = MemoryBudget.Default;
    /// <summary>Concurrent ONNX Runtime runs, each single-threaded on a share of the batch (0: one per core when ONNX
    /// Runtime runs on the CPU, one on a GPU).</summary>
    public int ConcurrentRuns { get; init; }
    /// <summary>Most images optimised together in one ONNX Runtime run.</summary>
    public int MaxBatch { get; init; } = 256;
}
