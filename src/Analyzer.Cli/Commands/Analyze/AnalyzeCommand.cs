using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using System.CommandLine;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>`analyzer analyze [MODEL] [--data SPEC] [--scope] [--measures] [-k] [--random 19] [--out DIR]`: the whole
/// pipeline.</summary>
public static class AnalyzeCommand
{
    public const string DefaultModel = "onnx-models/fmnist-mlp.onnx";

    public static Command Create()
    {
        var model = new Argument<string>("model")
        {
            Description = "The ONNX model file",
            DefaultValueFactory = _ => DefaultModel,
        };
        var data = new DataOptions();
        var edges = new Option<string>("--edges")
        {
            Description = "Comma-separated graph kinds: weights, activations",
            DefaultValueFactory = _ => "weights,activations",
        };
        var scope = new Option<string>("--scope")
        {
            Description = "Comma-separated clustering scopes: network, layer",
            DefaultValueFactory = _ => "network,layer",
        };
        var measures = new Option<string>("--measures")
        {
            Description = "Comma-separated measures: acc-drop, class-range (lesions); vis-score, softmax-entropy (feature " +
                          "visualisation: 100 Adam steps per image, 20 images per subcluster); lateralisation (first-layer subclusters: " +
                          "how much of their sign-aligned pixel-correlation image lies on one side, for halves-mnist)",
            DefaultValueFactory = _ => "acc-drop,class-range,vis-score,softmax-entropy",
        };
        var k = new Option<int?>("-k", "--clusters") { Description = "Number of clusters (default 16, or 32 for ImageNet-scale inputs)" };
        var random = new Option<int>("--random") { Description = "Random subclusters per true subcluster", DefaultValueFactory = _ => 19 };
        var output = new Option<string?>("--out", "-o") { Description = "Output directory (default: results/MODEL-NAME)" };
        var budget = new Option<int>("--memory-budget") { Description = "MiB that batched lesion inputs may take", DefaultValueFactory = _ => 256 };
        var compat = new Option<string?>("--compat")
        {
            Description = "Reproduce the authors' code where it differs from the paper (docs/method.md §9): all, or a comma-" +
                          "separated list of " + string.Join(", ", ReferenceCompat.Names.Select(n => $"{n} ({ReferenceCompat.Descriptions[n]})")),
        };
        var fresh = new Option<bool>("--fresh") { Description = "Ignore finished partitionings saved by an earlier, interrupted run" };
        var samples = CommonOptions.Samples();
        var seed = CommonOptions.Seed();
        var device = CommonOptions.Device();
        var threads = CommonOptions.Threads();
        var examples = CommonOptions.Examples();
        var layers = new Option<string?>("--layers")
        {
            Description = "Comma-separated node sets (as inspect names them) whose subclusters are analysed; the others are " +
                          "reported as skipped (a first look; recorded in results.json)",
        };
        var maxSubclusters = new Option<int?>("--max-subclusters")
        {
            Description = "Analyse at most this many subclusters per partitioning, drawn with the seed (a first look; recorded)",
        };
        var plan = new Option<bool>("--plan")
        {
            Description = "Print the work (partitionings, lesions, forward passes, visualisation steps) and estimates of the time " +
                          "and peak memory on this machine, from short timed samples of the real work, without running it",
        };
        var json = new Option<bool>("--json") { Description = "With --plan: print the plan as one JSON object" };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only share I of N of the work (I counted from 0, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are): " +
                          "each subcluster with all of its controls is one unit; the folder gets shard.json, and `analyzer merge` " +
                          "of the N folders gives the single run's results",
        };
        var command = new Command("analyze",
            "Run the whole pipeline: cluster the network (weights and activations; network and layer scope), lesion every subcluster and " +
            "its random controls, and report Fisher statistics, p-values and effects like the paper's Tables 1 and 2 " +
            "(results.json, table.md). Interrupted runs resume where they stopped.")
        {
            model, edges, scope, measures, k, random, output, samples, examples, layers, maxSubclusters, budget, compat, fresh, seed,
            device, threads, plan, json, shard,
        };
        foreach (var option in data.All) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => AnalyzeHandler.Run(new AnalyzeRequest(
            parse.GetValue(model)!, parse.GetValue(data.Data)!, data.Preprocessing(parse), Split(parse.GetValue(edges)),
            Split(parse.GetValue(scope)), Split(parse.GetValue(measures)), parse.GetValue(k), parse.GetValue(random),
            parse.GetValue(output), parse.GetValue(seed), DeviceChoice.Parse(parse.GetValue(device)), parse.GetValue(threads),
            parse.GetValue(budget), parse.GetValue(fresh), parse.GetValue(compat), parse.GetValue(samples),
            parse.GetValue(examples), parse.GetValue(layers) is { } list ? Split(list) : null, parse.GetValue(maxSubclusters),
            parse.GetValue(plan), parse.GetValue(json), parse.GetValue(shard) is { } share ? ShardSpec.Parse(share) : null),
            stdout, stderr), threads));
        return command;
    }

    private static string[] Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
