using Analyzer.Core.Clusterability;
using Analyzer.Core.Files;
using Analyzer.Core.Progress;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>screen-shard.json, what a shard of a screen writes beside its models' folders: which share it ran, the seed of
/// the comparison, and the models' names (their folders) in manifest order.</summary>
public sealed record ScreenShardDocument(int Shard, int Count, int Seed, IReadOnlyList<string> Models)
{
    public const string FileName = "screen-shard.json";
}

/// <summary>What a screen produced: the comparison of its models, or, for a shard, the shard's document.</summary>
public sealed record ScreenOutcome(ComparisonDocument? Comparison, ScreenShardDocument? Shard);

/// <summary>
/// Many models screened with the same options (docs/design.md, screen): each analysed into its folder (resuming finished
/// partitionings), its clusterability tested once (kept in its folder, so a rerun does not repeat it), then all compared.
/// A shard does its share of every model and the clusterability tests of every N-th model; `merge` compares.
/// </summary>
public static class Screening
{
    public static ScreenOutcome Run(ScreenPlan plan, TextWriter log, IResultsWriter writer)
    {
        var analyses = plan.Models.Select(plan.Analysis).ToList();
        var shard = plan.Options.Shard;
        var inner = new PrefixWriter(log, "  ");
        var compared = new List<ComparedModel>();
        foreach (var (model, i) in plan.Models.Select((m, i) => (m, i)))
        {
            var (analysis, leftOut) = analyses[i];
            log.WriteLine($"screen: {model.Name} ({i + 1}/{plan.Models.Count}, {DisplayPath.Of(model.Model)})");
            if (leftOut.Count > 0) inner.WriteLine($"no data: {string.Join(", ", leftOut)} left out for {model.Name}");
            var outcome = AnalysisRun.Complete(analysis, inner, writer);
            // In a sharded screen, each model's clusterability test is one more unit of work, run by one shard.
            bool mine = shard is null || i % shard.Count == shard.Index;
            var clusterability = AnalysisFolder.Clusterability(analysis.Out);
            if (plan.Clusterability > 0 && mine && clusterability is null)
            {
                // The weight graph at the input sizes the analysis used (from the data, where the model's are free).
                var fixedShapes = outcome.Header.InputShapes is { } used ? Onnx.InputShapes.FromUser(used, null) : analysis.InputShapes;
                clusterability = ClusterabilityRun.Run(new ClusterabilityPlan(model.Model, plan.Options.K, plan.Clusterability,
                    WeightShuffle.All, plan.Options.Seed, fixedShapes), inner);
                JsonFiles.Write(Path.Combine(analysis.Out, AnalysisFolder.ClusterabilityFile), clusterability);
            }
            if (shard is null) compared.Add(new ComparedModel(model.Name, analysis.Out, outcome.Results(), clusterability));
        }
        return shard is null
            ? new ScreenOutcome(ModelComparison.Build(compared, plan.Out, plan.Options.Seed), null)
            : new ScreenOutcome(null, new ScreenShardDocument(shard.Index, shard.Count, plan.Options.Seed, plan.Models.Select(m => m.Name).ToList()));
    }
}
