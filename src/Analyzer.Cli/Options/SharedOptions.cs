using Analyzer.Core.Lesions;
using System.CommandLine;
using Analyzer.Core.Clusterability;
using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;
using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Subclusters;
using Analyzer.Onnx.Inference;

namespace Analyzer.Cli.Options;

/// <summary>
/// Every option more than one verb takes, defined once: its flag, its help and its default (taken from Core, which owns
/// the defaults), and how its text becomes a typed value. Verbs and the screen manifest take their options from here
/// (docs/design.md, command line).
/// </summary>
public static class SharedOptions
{
    public static Argument<string> Model() => new("model") { Description = "The ONNX model file" };

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

    public static ExecutionDevice DeviceOf(string? value) => value switch
    {
        "cpu" => ExecutionDevice.Cpu,
        "cuda" => ExecutionDevice.Cuda,
        _ => ExecutionDevice.Auto,
    };

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

    /// <summary>--memory-budget: one meaning (<see cref="Core.Memory.MemoryBudget"/>) wherever a verb takes it.</summary>
    public static Option<int> MemoryBudget() => new("--memory-budget")
    {
        Description = Core.Memory.MemoryBudget.Meaning,
        DefaultValueFactory = _ => Core.Memory.MemoryBudget.Default.MiB,
    };

    public static MemoryBudget MemoryBudgetOf(int mib) => Core.Memory.MemoryBudget.OfMiB(mib);

    /// <summary>-k: the number of clusters; the default rule is Core's (<see cref="ClusterCount"/>).</summary>
    public static Option<int?> Clusters() => new("-k", "--clusters") { Description = $"Number of clusters ({ClusterCount.Rule})" };

    /// <summary>One graph kind (graph, cluster).</summary>
    public static Option<string> Edge() => new Option<string>("--edges")
    {
        Description = "Graph edges: weights (|W|, no data needed) or activations (squared Spearman correlation of " +
                      "pre-activations over --samples training examples of --data)",
        DefaultValueFactory = _ => EdgeKind.Weights.Name(),
    }.AcceptOnlyFromAmong([.. EdgeKinds.All.Select(e => e.Name())]);

    /// <summary>Graph kinds, comma-separated (analyze, screen).</summary>
    public static Option<string> EdgeList() => new("--edges")
    {
        Description = $"Comma-separated graph kinds: {Names(EdgeKinds.All.Select(e => e.Name()))}",
        DefaultValueFactory = _ => Names(EdgeKinds.All.Select(e => e.Name()), ","),
    };

    /// <summary>Clustering scopes, comma-separated (analyze, screen).</summary>
    public static Option<string> ScopeList() => new("--scope")
    {
        Description = $"Comma-separated clustering scopes: {Names(ClusteringScopes.All.Select(s => s.Name()))}",
        DefaultValueFactory = _ => Names(ClusteringScopes.All.Select(s => s.Name()), ","),
    };

    /// <summary>Measures, comma-separated, described by Core's measure definitions (analyze, screen).</summary>
    public static Option<string> Measures() => new("--measures")
    {
        Description = "Comma-separated measures, each of a subcluster against its random controls: " +
                      string.Join("; ", Measure.All.Select(m => $"{m.Name}, {m.Description}")),
        DefaultValueFactory = _ => Names(Measure.Defaults.Select(m => m.Name), ","),
    };

    public static Option<int> Random() => new("--random")
    {
        Description = "Random subclusters per true subcluster",
        DefaultValueFactory = _ => AnalysisPlan.DefaultRandom,
    };

    /// <summary>--labels: what lesions are scored against (<see cref="LabelSource"/>).</summary>
    public static Option<string?> Labels() => new Option<string?>("--labels")
    {
        Description = "What lesion measures score predictions against: data (the data's labels), model (the intact model's own " +
                      "predictions, for data without labels in the model's classes: acc-drop becomes the fraction of predictions a " +
                      "lesion changes) or next-token (a causal language model's next input token at each position). Default: data " +
                      "when the data carry labels, else model",
    }.AcceptOnlyFromAmong([.. LabelSources.All.Select(l => l.Name())]);

    public static LabelSource? LabelsOf(string? name) => name is null ? null : LabelSources.Parse(name);

    /// <summary>--strict: warnings among the results end the verb with exit 3 once the results are written.</summary>
    public static Option<bool> Strict() => new("--strict")
    {
        Description = "Exit 3 when the results carry warnings (a baseline at chance, labels from another label space, rows too small to " +
                      "reach significance, clusters of one unit, degenerate measures), after writing them: for pipelines that must not pass nonsense",
    };

    /// <summary>--input-shape: sizes for a model's free input dimensions (<see cref="InputShapeSpec"/>).</summary>
    public static Option<string?> InputShape() => new("--input-shape")
    {
        Description = "Sizes of the model's free input dimensions after the batch, [NAME=]DIMS (e.g. 3x48x192; NAME=DIMS,NAME=DIMS " +
                      "for several inputs). Default: from the data's examples where the verb reads data",
    };

    public static Onnx.InputShapes? InputShapeOf(string? text) => text is null ? null : InputShapeSpec.Parse(text);

    public static Option<string?> Compat() => new("--compat")
    {
        Description = "Reproduce the authors' code where it differs from the paper (docs/method.md §9): all, or a comma-" +
                      "separated list of " + string.Join(", ", ReferenceCompat.Names.Select(n => $"{n} ({ReferenceCompat.Descriptions[n]})")),
    };

    /// <summary>--examples: a seeded subset of the test split, for a first look at a large dataset.</summary>
    public static Option<int?> Examples() => new("--examples")
    {
        Description = "Use this many test examples, drawn (seeded) from the test split, instead of all of them (a first look; recorded in the output)",
    };

    public static Option<int> Samples() => new("--samples")
    {
        Description = "Examples drawn (seeded) from the training split for activation graphs",
        DefaultValueFactory = _ => AnalysisPlan.DefaultSamples,
    };

    public static Option<string?> Layers() => new("--layers")
    {
        Description = "Comma-separated node sets (as inspect names them) whose subclusters are analysed; the others are " +
                      "reported as skipped (a first look; recorded in results.json)",
    };

    public static Option<int?> MaxSubclusters() => new("--max-subclusters")
    {
        Description = "Analyse at most this many subclusters per partitioning, drawn with the seed (a first look; recorded)",
    };

    /// <summary>--shard I/N, with the verb's own <paramref name="description"/> of how its work is shared.</summary>
    public static Option<string?> Shard(string description) => new("--shard") { Description = description };

    public static ShardSpec? ShardOf(string? text) => text is null ? null : ShardSpec.Parse(text);

    public static Option<int> Shuffles(int defaultShuffles) => new("--shuffles")
    {
        Description = "Shuffled networks to compare with",
        DefaultValueFactory = _ => defaultShuffles,
    };

    public static Option<string> Shuffle() => new Option<string>("--shuffle")
    {
        Description = "all: permute every weight of a layer, zeros included; nonzero: permute only the non-zero weights " +
                      "among their positions (keeps a pruned layer's pattern)",
        DefaultValueFactory = _ => ClusterabilityRun.Name(WeightShuffle.All),
    }.AcceptOnlyFromAmong(ClusterabilityRun.Name(WeightShuffle.All), ClusterabilityRun.Name(WeightShuffle.NonZero));

    public static WeightShuffle ShuffleOf(string? name) => name == ClusterabilityRun.Name(WeightShuffle.NonZero) ? WeightShuffle.NonZero : WeightShuffle.All;

    /// <summary>The items of a comma-separated option, or null when it was not given.</summary>
    public static IReadOnlyList<string>? ListOf(string? text) => text is null ? null : Choices.Split(text);

    private static string Names(IEnumerable<string> names, string separator = ", ") => string.Join(separator, names);
}
