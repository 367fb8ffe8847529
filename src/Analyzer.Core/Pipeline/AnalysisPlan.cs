using Analyzer.Core.Lesions;
using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;
using Analyzer.Core.Memory;
using Analyzer.Core.Subclusters;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Everything one analysis is asked to do (docs/design.md, the pipeline): the model, its data and preprocessing, the
/// partitionings (edges x scopes), k, the controls, the measures, the conventions, a first-look selection, the share of
/// the work (a shard) and where checkpoints go. The defaults are the paper's. <see cref="AnalysisRun"/> executes it,
/// <see cref="AnalysisEstimate"/> says what it would take. A setting that cannot be run is a <see cref="UsageException"/>
/// naming the property (<see cref="Validate"/>).
/// </summary>
/// <example>
/// <code>
/// var plan = new AnalysisPlan { Model = "onnx-models/fmnist-mlp.onnx", Data = "fashion-mnist", Out = "results/fmnist-mlp" };
/// ResultsDocument results = new AnalysisRun(plan, Console.Error).Execute().Results();
/// </code>
/// </example>
public sealed record AnalysisPlan
{
    /// <summary>Random controls per analysed subcluster unless told otherwise (the paper's 19).</summary>
    public const int DefaultRandom = 19;

    /// <summary>Training examples sampled for activation graphs unless told otherwise (the paper's 5000).</summary>
    public const int DefaultSamples = 5000;

    /// <summary>The ONNX model file.</summary>
    public required string Model { get; init; }

    /// <summary>A dataset spec (mnist, fashion-mnist, halves-mnist, cifar10, a folder, an npz; docs/design.md), or "none"
    /// when only weight graphs and measures that need no data are asked for.</summary>
    public string Data { get; init; } = "none";

    public Preprocessing Preprocessing { get; init; } = Preprocessing.Default;

    /// <summary>Sizes for the model's free input dimensions; null: from the data's examples where the model has free
    /// sizes (docs/method.md §10).</summary>
    public Onnx.InputShapes? InputShapes { get; init; }

    /// <summary>Whether any warning among the results (<see cref="ResultWarnings"/>) makes the verb fail once they are
    /// written (--strict, for screening pipelines).</summary>
    public bool Strict { get; init; }

    /// <summary>Graph kinds, each clustered in every scope.</summary>
    public IReadOnlyList<EdgeKind> Edges { get; init; } = EdgeKinds.All;

    public IReadOnlyList<ClusteringScope> Scopes { get; init; } = ClusteringScopes.All;

    public IReadOnlyList<Measure> Measures { get; init; } = Measure.Defaults;

    /// <summary>Whether the measures were named (then one that cannot apply to the model stops the run) rather than taken
    /// by default (then it is left out with the reason, said once and recorded in results.json).</summary>
    public bool MeasuresNamed { get; init; }

    /// <summary>Number of clusters; null: <see cref="ClusterCount.Default"/>.</summary>
    public int? K { get; init; }

    /// <summary>Random controls per analysed subcluster.</summary>
    public int Random { get; init; } = DefaultRandom;

    public int Seed { get; init; }

    public ExecutionDevice Device { get; init; } = ExecutionDevice.Auto;

    /// <summary>Threads for inference sessions (0: all cores).</summary>
    public int Threads { get; init; }

    /// <summary>What each working set of the run may take (<see cref="MemoryBudget"/>).</summary>
    public MemoryBudget MemoryBudget { get; init; } = MemoryBudget.Default;

    /// <summary>What lesion measures score predictions against: the data's labels, or the intact model's predictions;
    /// null: the data's when they carry labels, else the model's (<see cref="LabelSources.Resolve"/>).</summary>
    public LabelSource? Labels { get; init; }

    /// <summary>Reference-compat switches (docs/method.md §9); none: the paper's definitions.</summary>
    public ReferenceCompat Compat { get; init; } = ReferenceCompat.None;

    /// <summary>Further conventions the same measurements are reported under, each into its own folder: the lesions and
    /// visualisations are run once and every convention's results are derived from them (docs/design.md, the pipeline).
    /// Their results are those of separate runs with the same plan under each convention.</summary>
    public IReadOnlyList<ConventionFolder> AlsoUnder { get; init; } = [];

    /// <summary>Every convention the run reports under with its folder, the plan's own first.</summary>
    public IReadOnlyList<ConventionFolder> Conventions => [new(Compat, Out), .. AlsoUnder];

    /// <summary>Training examples sampled for activation graphs.</summary>
    public int Samples { get; init; } = DefaultSamples;

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

    /// <summary>The partitionings in table order: every edge kind in every scope.</summary>
    public IReadOnlyList<(EdgeKind Edges, ClusteringScope Scope)> Partitionings =>
        Edges.SelectMany(e => Scopes.Select(s => (e, s))).ToList();

    /// <summary>Refuses what cannot be run, naming the property (a <see cref="UsageException"/>).</summary>
    public void Validate()
    {
        if (Edges.Count == 0)
            throw new UsageException(nameof(Edges), $"none given; use a comma-separated list of: {string.Join(", ", EdgeKinds.All.Select(e => e.Name()))}");
        if (Scopes.Count == 0)
            throw new UsageException(nameof(Scopes), $"none given; use a comma-separated list of: {string.Join(", ", ClusteringScopes.All.Select(s => s.Name()))}");
        if (Measures.Count == 0)
            throw new UsageException(nameof(Measures), $"none given; use a comma-separated list of: {string.Join(", ", Measure.All)}");
        if (Random < 1)
            throw new UsageException(nameof(Random), $"{Random}; expected at least 1");
        if (MaxSubclusters is < 1)
            throw new UsageException(nameof(MaxSubclusters), $"{MaxSubclusters}; expected at least 1");
        if (Examples is < 1)
            throw new UsageException(nameof(Examples), $"{Examples}; expected at least 1");
        if (MemoryBudget.Bytes < 1 << 20)
            throw new UsageException(nameof(MemoryBudget), $"{MemoryBudget.MiB} MiB; expected at least 1");
        if (Edges.Contains(EdgeKind.Activations)) ActivationRequest.CheckSamples(Samples);
        if (AlsoUnder.Count > 0 && Shard is not null)
            throw new UsageException(nameof(AlsoUnder), "a shard reports under its plan's convention only; run each convention's shards separately");
    }

    /// <summary>Whether the plan needs a dataset: lesion and correlation measures and activation graphs do; weight graphs
    /// with visualisation measures alone do not (a model screened without its data).</summary>
    public bool NeedsData => Measures.Any(m => m.NeedsData) || Edges.Contains(EdgeKind.Activations);

    /// <summary>The checkpoint key of one partitioning: everything its outcome depends on, the shard aside.</summary>
    public string Identity(string modelSha256, int k, EdgeKind partitioningEdges, int examples, string version, LabelSource labels = LabelSource.Data,
        int positions = 1, string? inputShapes = null) =>
        string.Join("|", modelSha256, Data, Preprocessing.Scale, string.Join(",", Preprocessing.Mean), string.Join(",", Preprocessing.Std),
            Preprocessing.Bgr, Seed, k, Random, string.Join(",", Measures.Select(m => m.Name)), string.Join(",", Compat.Enabled),
            partitioningEdges == EdgeKind.Activations ? Samples : 0, examples, string.Join(",", Layers ?? []), MaxSubclusters ?? 0, version) +
        (labels == LabelSource.Data ? "" : $"|labels={labels.Name()}") + (positions == 1 ? "" : $"|positions={positions}") +
        (inputShapes is null ? "" : $"|inputs={inputShapes}");
}
