using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>
/// The options of an analysis and how they become an <see cref="AnalysisPlan"/>: the `analyze` command's, and the
/// shared options of a `screen` manifest, which names them by their long flags (<see cref="Manifest"/>).
/// </summary>
public sealed class AnalyzeOptions
{
    public const string DefaultModel = "onnx-models/fmnist-mlp.onnx";

    public Argument<string> Model { get; } = new("model") { Description = "The ONNX model file", DefaultValueFactory = _ => DefaultModel };
    public DataOptions Data { get; } = new();
    public Option<string> Edges { get; } = SharedOptions.EdgeList();
    public Option<string> Scopes { get; } = SharedOptions.ScopeList();
    public Option<string> Measures { get; } = SharedOptions.Measures();
    public Option<int?> Clusters { get; } = SharedOptions.Clusters();
    public Option<int> Random { get; } = SharedOptions.Random();
    public Option<string?> Out { get; } = new("--out", "-o") { Description = "Output directory (default: results/MODEL-NAME)" };
    public Option<int> Samples { get; } = SharedOptions.Samples();
    public Option<int?> Examples { get; } = SharedOptions.Examples();
    public Option<string?> Layers { get; } = SharedOptions.Layers();
    public Option<int?> MaxSubclusters { get; } = SharedOptions.MaxSubclusters();
    public Option<int> MemoryBudget { get; } = SharedOptions.MemoryBudget();
    public Option<string?> Compat { get; } = SharedOptions.Compat();
    public Option<string?> Labels { get; } = SharedOptions.Labels();
    public Option<string?> InputShape { get; } = SharedOptions.InputShape();
    public Option<bool> Fresh { get; } = new("--fresh") { Description = "Ignore finished partitionings saved by an earlier, interrupted run" };
    public Option<bool> Strict { get; } = SharedOptions.Strict();
    public Option<int> Seed { get; } = SharedOptions.Seed();
    public Option<string> Device { get; } = SharedOptions.Device();
    public Option<int> Threads { get; } = SharedOptions.Threads();
    public Option<string?> Shard { get; } = SharedOptions.Shard(
        "Run only share I of N of the work (I counted from 0, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are): " +
        "each subcluster with all of its controls is one unit; the folder gets shard.json, and `analyzer merge` " +
        "of the N folders gives the single run's results");

    /// <summary>Adds the model argument and every option (in the order --help lists them) to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(Model);
        foreach (var option in new Option[] { Edges, Scopes, Measures, Clusters, Random, Out, Samples, Examples, Layers, MaxSubclusters,
                     MemoryBudget, Labels, InputShape, Compat, Fresh, Strict, Seed, Device, Threads, Shard }.Concat(Data.All))
            command.Options.Add(option);
    }

    /// <summary>The options a screen manifest may set for every model, by long name ("max-subclusters": 4).</summary>
    public IReadOnlyList<Option> Manifest => [Edges, Scopes, Measures, Clusters, Random, Samples, Examples, Layers, MaxSubclusters, MemoryBudget,
        Labels, InputShape, Compat, Strict, Seed, Device];

    /// <summary>The plan the parsed options ask for, parsed into Core's vocabulary (an unknown name is a usage error).</summary>
    public AnalysisPlan Plan(ParseResult parse) => new()
    {
        Model = parse.GetValue(Model) ?? DefaultModel,
        Data = parse.GetValue(Data.Data)!,
        Preprocessing = Data.Preprocessing(parse),
        Edges = EdgeKinds.ParseList(parse.GetValue(Edges)),
        Scopes = ClusteringScopes.ParseList(parse.GetValue(Scopes)),
        Measures = Measure.ParseList(parse.GetValue(Measures)),
        MeasuresNamed = parse.GetResult(Measures) is { Implicit: false },
        K = parse.GetValue(Clusters),
        Random = parse.GetValue(Random),
        Seed = parse.GetValue(Seed),
        Device = SharedOptions.DeviceOf(parse.GetValue(Device)),
        Threads = parse.GetValue(Threads),
        MemoryBudget = SharedOptions.MemoryBudgetOf(parse.GetValue(MemoryBudget)),
        Compat = ReferenceCompat.Parse(parse.GetValue(Compat)),
        Labels = SharedOptions.LabelsOf(parse.GetValue(Labels)),
        InputShapes = SharedOptions.InputShapeOf(parse.GetValue(InputShape)),
        Samples = parse.GetValue(Samples),
        Examples = parse.GetValue(Examples),
        Layers = SharedOptions.ListOf(parse.GetValue(Layers)),
        MaxSubclusters = parse.GetValue(MaxSubclusters),
        Shard = SharedOptions.ShardOf(parse.GetValue(Shard)),
        Out = parse.GetValue(Out) ?? Path.Combine("results", Path.GetFileNameWithoutExtension(parse.GetValue(Model) ?? DefaultModel)),
        Fresh = parse.GetValue(Fresh),
        Strict = parse.GetValue(Strict),
    };
}
