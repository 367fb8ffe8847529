using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Pipeline;

/// <summary>One model's finished analysis, as `compare` and `screen` take it: a name, the folder its files are in, its
/// results and, when its clusterability was tested, that test.</summary>
public sealed record ComparedModel(string Name, string Folder, ResultsDocument Results, ClusterabilityDocument? Clusterability)
{
    /// <summary>A finished analysis folder, named after the folder (a name given twice gets -2, -3, ...).</summary>
    public static IReadOnlyList<ComparedModel> Read(IReadOnlyList<string> folders)
    {
        var names = new HashSet<string>();
        return folders.Select(folder =>
        {
            var results = AnalysisFolder.Results(folder);
            string stem = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), name = stem;
            for (int i = 2; !names.Add(name); i++) name = $"{stem}-{i}";
            return new ComparedModel(name, folder, results, AnalysisFolder.Clusterability(folder));
        }).ToList();
    }
}

/// <summary>
/// Finished analyses side by side (docs/method.md §7, comparing networks): every model's statistics per partitioning
/// and measure, and for every pair of models and every measure both have (neither degenerate) a permutation test of the
/// difference of their Fisher statistics, with Benjamini-Hochberg over all the differences.
/// </summary>
public static class ModelComparison
{
    /// <param name="relativeTo">The folder comparison.json goes in: each model's results folder is named relative to it.</param>
    /// <param name="seed">Seeds the permutations, one stream per pair, partitioning and measure.</param>
    public static ComparisonDocument Build(IReadOnlyList<ComparedModel> models, string relativeTo, int seed)
    {
        var entries = models.Select(m => new ComparisonModel(m.Name, m.Results.Model, m.Results.ModelSha256,
            Path.GetRelativePath(relativeTo, m.Folder), m.Results.Data, m.Results.BaselineAccuracy,
            m.Results.Partitionings.Select(p => new ComparisonPartitioning(p.Edges, p.Scope, p.Ncut, p.Measures.ToDictionary(x => x.Key,
                x => new ComparisonCell(x.Value.Fisher, x.Value.P, x.Value.Significant, x.Value.Effect.Mean, x.Value.Effect.Se, x.Value.Degenerate,
                    x.Value.N, ResultsVerdict.Name(ResultsVerdict.Classify(x.Value)))))).ToList(),
            m.Clusterability is { } c ? new ComparisonClusterability(c.K, c.Ncut, c.Z, c.Percentile, c.Reading) : null, m.Results.Warnings)).ToList();
        var raw = new List<(string A, string B, string Key, string Measure, FisherDifference.Result Result)>();
        for (int i = 0; i < models.Count; i++)
            for (int j = i + 1; j < models.Count; j++)
                foreach (var pa in models[i].Results.Partitionings)
                {
                    var pb = models[j].Results.Partitionings.FirstOrDefault(p => p.Edges == pa.Edges && p.Scope == pa.Scope);
                    if (pb is null) continue;
                    foreach (var (measure, ea) in pa.Measures)
                    {
                        if (!pb.Measures.TryGetValue(measure, out var eb) || ea.Degenerate is not null || eb.Degenerate is not null) continue;
                        string key = $"{pa.Edges}-{pa.Scope}";
                        int pairSeed = StableSeed.Of(seed, $"compare/{models[i].Name}/{models[j].Name}/{key}/{measure}", -1, -1);
                        if (FisherDifference.Test(ea.Subclusters.Select(s => s.Percentile).ToList(), eb.Subclusters.Select(s => s.Percentile).ToList(), pairSeed) is { } r)
                            raw.Add((models[i].Name, models[j].Name, key, measure, r));
                    }
                }
        var bh = BenjaminiHochberg.Apply(raw.Select(d => d.Result.P).ToArray());
        var differences = raw.Select((d, k) => new ComparisonDifference(d.A, d.B, d.Key, d.Measure, d.Result.Difference, d.Result.P, bh.Significant[k])).ToList();
        return new ComparisonDocument(AnalyzerInfo.Version, entries, differences, raw.Count == 0 ? null : bh.CriticalP,
            ComparisonVerdict.Of(entries, differences));
    }
}
