using Analyzer.Core.Errors;
using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Everything one analysis is asked to do (docs/design.md, the pipeline): the model, its data and preprocessing, the
/// partitionings (edges x scopes), k, the controls, the measures, the conventions, a first-look selection, the share of
/// the work (a shard) and where checkpoints go. The defaults are the paper's. <see cref="AnalysisRun"/> executes it.
/// </summary>
/// <example>
/// <code>
/// var plan = new AnalysisPlan { Model = "onnx-models/fmnist-mlp.onnx", Data = "fashion-mnist", Out = "results/fmnist-mlp" };
/// ResultsDocument results = new AnalysisRun(plan, Console.Error).Execute().Results();
/// </code>
/// </example>
public sealed record AnalysisPlan
{
    public static readonly IReadOnlyList<string> AllMeasures =
        [.. LesionAnalysis.Measures, .. VisualisationAnalysis.Measures, .. CorrelationAnalysis.Measures];

    /// <summary>The ONNX model file.</summary>
    public required string Model { get; init; }

    /// <summary>A dataset spec (mnist, fashion-mnist, halves-mnist, cifar10, a folder, an npz; docs/design.md), or "none"
    /// when only weight graphs and visualisation measures are asked for.</summary>
    public string Data { get; init; } = "none";

    public Preprocessing Preprocessing { get; init; } = Preprocessing.Default;

    /// <summary>Graph kinds: weights, activations.</summary>
    public IReadOnlyList<string> Edges { get; init; } = ["weights", "activations"];

    /// <summary>Clustering scopes: network, layer.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["network", "layer"];

    public IReadOnlyList<string> Measures { get; init; } = [.. LesionAnalysis.Measures, .. VisualisationAnalysis.Measures];

    /// <summary>Number of clusters; null: <see cref="Clustering.ScopedPartition.DefaultK"/>.</summary>
    public int? K { get; init; }

    /// <summary>Random controls per analysed subcluster.</summary>
    public int Random { get; init; } = 19;

    public int Seed { get; init; }

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    /// <summary>Threads for inference sessions (0: all cores).</summary>
    public int Threads { get; init; }

    /// <summary>MiB that batched lesion inputs and visualisation arenas may take.</summary>
    public int MemoryBudgetMiB { get; init; } = 256;

    /// <summary>Reference-compat switches (docs/method.md §9): null, "all" or a comma-separated list.</summary>
    public string? Compat { get; init; }

    /// <summary>Training examples sampled for activation graphs.</summary>
    public int Samples { get; init; } = 5000;

    /// <summary>Test examples drawn (seeded) for lesions; null: the whole test split.</summary>
    public int? Examples { get; init; }

    /// <summary>Node sets whose subclusters are analysed (null: all).</summary>
    public IReadOnlyList<string>? Layers { get; init; }

    /// <summary>At most this many subclusters per partitioning, drawn with the seed (null: all).</summary>
    public int? MaxSubclusters { get; init; }

    /// <summary>The share of the work this run does (null: all of it).</summary>
    public ShardSpec? Shard { get; init; }

    /// <summary>The folder that holds checkpoints (partitionings/) and figures.</summary>
    public required string Out { get; init; }

    /// <summary>Redo partitionings saved by an earlier run.</summary>
    public bool Fresh { get; init; }

    /// <summary>Refuses what cannot be run, naming the option (a <see cref="UsageException"/>).</summary>
    public void Validate()
    {
        if (Edges.Count == 0 || Edges.Any(e => e is not ("weights" or "activations")))
            throw new UsageException($"--edges: '{string.Join(",", Edges)}'; use a comma-separated list of: weights, activations");
        if (Scopes.Count == 0 || Scopes.Any(s => s is not ("network" or "layer")))
            throw new UsageException($"--scope: '{string.Join(",", Scopes)}'; use a comma-separated list of: network, layer");
        if (Measures.Count == 0 || Measures.Any(m => !AllMeasures.Contains(m)))
            throw new UsageException($"--measures: '{string.Join(",", Measures)}'; use a comma-separated list of: {string.Join(", ", AllMeasures)}");
        if (Random < 1)
            throw new UsageException($"--random: {Random}; expected at least 1");
        if (MaxSubclusters is < 1)
            throw new UsageException($"--max-subclusters: {MaxSubclusters}; expected at least 1");
        if (Examples is < 1)
            throw new UsageException($"--examples: {Examples}; expected at least 1");
        ReferenceCompatSwitches();
    }

    /// <summary>The reference-compat switches in force.</summary>
    public ReferenceCompat ReferenceCompatSwitches()
    {
        try
        {
            return ReferenceCompat.Parse(Compat);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--compat: {e.Message}");
        }
    }

    /// <summary>Whether the plan needs a dataset: lesion and correlation measures and activation graphs do; weight graphs
    /// with visualisation measures alone do not (a model screened without its data).</summary>
    public bool NeedsData => Measures.Any(m => LesionAnalysis.Measures.Contains(m) || CorrelationAnalysis.Measures.Contains(m)) ||
                             Edges.Contains("activations");

    /// <summary>The checkpoint key of one partitioning: everything its outcome depends on, the shard aside.</summary>
    public string Identity(string modelSha256, int k, string partitioningEdges, int examples, string version) =>
        string.Join("|", modelSha256, Data, Preprocessing.Scale, string.Join(",", Preprocessing.Mean), string.Join(",", Preprocessing.Std),
            Preprocessing.Bgr, Seed, k, Random, string.Join(",", Measures), string.Join(",", ReferenceCompatSwitches().Enabled),
            partitioningEdges == "activations" ? Samples : 0, examples, string.Join(",", Layers ?? []), MaxSubclusters ?? 0, version);
}
