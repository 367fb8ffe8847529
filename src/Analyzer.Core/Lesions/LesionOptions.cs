using Analyzer.Core.Memory;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Lesions;

/// <summary>How <see cref="LesionEngine"/> runs: device, preprocessing, memory budget and whether to reuse the
/// unchanged prefix of the network.</summary>
public sealed record LesionOptions
{
    public Preprocessing Preprocessing { get; init; } = Preprocessing.Default;
    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;
    /// <summary>CPU threads for the sweep, shared among its concurrent runs (each run gets Threads / runs, at least one);
    /// 0: one per run when runs are concurrent, else ONNX Runtime's default.</summary>
    public int Threads { get; init; }
    /// <summary>What the batched inputs of one run, and the cached cut models, may take; larger runs are split.</summary>
    public MemoryBudget MemoryBudget { get; init; } = MemoryBudget.Default;
    /// <summary>Compute the layers before the lesioned one once per example instead of once per lesion.</summary>
    public bool ReusePrefix { get; init; } = true;
    /// <summary>
    /// For a node set read by a dense layer, compute that layer's unlesioned output once and subtract the removed
    /// units' contribution (a rank-|set| update) instead of recomputing it per lesion. Exact up to float rounding, which
    /// may flip a prediction whose top two logits tie to ~1e-6.
    /// </summary>
    public bool LowRankDense { get; init; } = true;
    /// <summary>
    /// When the layers after a dense reader are only dense layers and ReLUs up to the output (an MLP), run them with the
    /// engine's own kernels, which skip the zero inputs a ReLU leaves, instead of ONNX Runtime's dense products (CPU
    /// only; exact up to float rounding, like <see cref="LowRankDense"/>).
    /// </summary>
    public bool SparseSuffix { get; init; } = true;
    /// <summary>
    /// When the layers after a conv reader are ReLUs, plain max-pools and convs on feature maps, then dense layers up to
    /// the output (a small CNN), run them with the engine's own kernels (<see cref="ConvChain"/>), which skip the zero
    /// inputs a ReLU leaves. Off by default: on a CPU with AVX2 but not AVX-512 it was measured slower than ONNX
    /// Runtime's suffix where the chain holds a conv, and it has not yet been measured with AVX-512 (docs/design.md,
    /// lesion speed). CPU only; exact up to float rounding.
    /// </summary>
    public bool SparseConvSuffix { get; init; }
    /// <summary>
    /// Slices of one node set's lesions evaluated concurrently, each run single-threaded in ONNX Runtime: for the
    /// medium-sized products of a lesion sweep this keeps the cores busier than intra-op threading (measured 1.4x on
    /// the MLP sweep). 0: one per core (<see cref="Analyzer.Kernels.Parallelism.MaxThreads"/>).
    /// </summary>
    public int ConcurrentRuns { get; init; }
    /// <summary>At most this many rows (examples x masks) go into one suffix run.</summary>
    public int RowsPerRun { get; init; } = 2048;
    /// <summary>Examples per prefix computation.</summary>
    public int ChunkSize { get; init; } = 1000;
    /// <summary>Also measure how far each lesion moves the outputs from the intact model's (<see cref="OutputDivergence"/>):
    /// the intact outputs of every example are kept, examples x output values floats.</summary>
    public bool OutputChange { get; init; }
    public Action<string>? Note { get; init; }
    /// <summary>When set, the sweep adds the time of each of its phases here (benchmarks).</summary>
    public LesionPhaseTimes? Timings { get; init; }
}
