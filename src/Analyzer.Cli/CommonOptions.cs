using Analyzer.Core.Errors;
using System.CommandLine;

namespace Analyzer.Cli;

/// <summary>Options shared by the verbs: --seed, --device, --threads (docs/design.md).</summary>
public static class CommonOptions
{
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of every random choice; the same inputs and seed give the same files",
        DefaultValueFactory = _ => 0,
    };

    public static Option<string> Device() => new Option<string>("--device")
    {
        Description = "Where to compute: cpu, cuda or auto (auto: cuda when available)",
        DefaultValueFactory = _ => "auto",
    }.AcceptOnlyFromAmong("cpu", "cuda", "auto");

    public static Option<int> Threads()
    {
        var threads = new Option<int>("--threads")
        {
            Description = "CPU threads to use; 0 means all cores",
            DefaultValueFactory = _ => 0,
        };
        threads.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
                result.AddError($"--threads: {result.GetValueOrDefault<int>()}; expected 0 (all cores) or a positive count");
        });
        return threads;
    }

    public static Argument<string> Model() => new("model")
    {
        Description = "The ONNX model file",
    };

    public static Option<string> Edges() => new Option<string>("--edges")
    {
        Description = "Graph edges: weights (|W|, no data needed) or activations (squared Spearman correlation of " +
                      "pre-activations over --samples training examples of --data)",
        DefaultValueFactory = _ => "weights",
    }.AcceptOnlyFromAmong("weights", "activations");

    /// <summary>--examples: a seeded subset of the test split, for a first look at a large dataset.</summary>
    public static Option<int?> Examples() => new("--examples")
    {
        Description = "Use this many test examples, drawn (seeded) from the test split, instead of all of them (a first look; recorded in the output)",
    };

    /// <summary>The test split, or the --examples drawn from it (null: all); refuses counts below 1.</summary>
    public static Core.Datasets.ImageDataset TestExamples(Core.Datasets.ImageDataset test, int? examples, int seed) =>
        examples switch
        {
            null => test,
            < 1 => throw new UsageException($"--examples: {examples}; expected at least 1"),
            _ => test.Draw(examples.Value, seed),
        };

    public static Option<int> Samples() => new("--samples")
    {
        Description = "Examples drawn (seeded) from the training split for activation graphs",
        DefaultValueFactory = _ => 5000,
    };
}

/// <summary>Maps --device to the inference layer's choice.</summary>
public static class DeviceChoice
{
    public static Analyzer.Onnx.Inference.ExecutionDevice Parse(string? value) => value switch
    {
        "cpu" => Analyzer.Onnx.Inference.ExecutionDevice.Cpu,
        "cuda" => Analyzer.Onnx.Inference.ExecutionDevice.Cuda,
        _ => Analyzer.Onnx.Inference.ExecutionDevice.Auto,
    };
}
