using System.Globalization;
using System.Text;
using Analyzer.Core.Statistics;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Reporting.Comparison;

/// <summary>One model's finished analysis, as `compare` and `screen` read it.</summary>
public sealed record ComparedModel(string Name, string Folder, ResultsDocument Results, ClusterabilityDocument? Clusterability);

/// <summary>A row of comparison.json: one model's statistics for one partitioning.</summary>
public sealed record ComparisonCell(double Fisher, double P, bool Significant, double Effect, double Se, string? Degenerate);

public sealed record ComparisonPartitioning(string Edges, string Scope, double Ncut, IReadOnlyDictionary<string, ComparisonCell> Measures);

public sealed record ComparisonClusterability(int K, double Ncut, double? Z, double Percentile);

public sealed record ComparisonModel(string Name, string Model, string ModelSha256, string Results, string Data, double BaselineAccuracy,
    IReadOnlyList<ComparisonPartitioning> Partitionings, ComparisonClusterability? Clusterability);

/// <summary>The difference of two models' Fisher statistics for one partitioning and measure, with its permutation p
/// (docs/method.md §7) and whether it survives Benjamini-Hochberg over all the differences.</summary>
public sealed record ComparisonDifference(string A, string B, string Partitioning, string Measure, double Difference, double P, bool Significant);

/// <summary>comparison.json (docs/design.md): the models side by side and their pairwise differences.</summary>
public sealed record ComparisonDocument(string AnalyzerVersion, IReadOnlyList<ComparisonModel> Models, IReadOnlyList<ComparisonDifference> Differences,
    double? DifferencesCriticalP);

/// <summary>Builds the comparison of finished analyses and renders it as Markdown.</summary>
public static class ComparisonTable
{
    public static ComparisonDocument Build(IReadOnlyList<ComparedModel> models, string relativeTo, int seed)
    {
        var entries = models.Select(m => new ComparisonModel(m.Name, m.Results.Model, m.Results.ModelSha256,
            Path.GetRelativePath(relativeTo, m.Folder), m.Results.Data, m.Results.BaselineAccuracy,
            m.Results.Partitionings.Select(p => new ComparisonPartitioning(p.Edges, p.Scope, p.Ncut, p.Measures.ToDictionary(x => x.Key,
                x => new ComparisonCell(x.Value.Fisher, x.Value.P, x.Value.Significant, x.Value.Effect.Mean, x.Value.Effect.Se, x.Value.Degenerate)))).ToList(),
            m.Clusterability is { } c ? new ComparisonClusterability(c.K, c.Ncut, c.Z, c.Percentile) : null)).ToList();
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
        return new ComparisonDocument(AnalyzerInfo.Version, entries, differences, raw.Count == 0 ? null : bh.CriticalP);
    }

    public static string Markdown(ComparisonDocument comparison)
    {
        var measures = comparison.Models.SelectMany(m => m.Partitionings).SelectMany(p => p.Measures.Keys).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine($"# Comparison of {comparison.Models.Count} models");
        text.AppendLine();
        text.AppendLine("Fisher statistics (p-value) per model and partitioning; **bold**: significant after Benjamini-Hochberg over that " +
                        "model's own table; clusterability: z of the weight graph's n-cut against layer-shuffled networks (negative: more " +
                        "clusterable than chance).");
        text.AppendLine();
        text.AppendLine($"| model | data | accuracy | partitioning | {string.Join(" | ", measures)} | n-cut | clusterability z |");
        text.AppendLine($"|---|---|---|---|{string.Concat(measures.Select(_ => "---|"))}---|---|");
        foreach (var model in comparison.Models)
            foreach (var p in model.Partitionings)
            {
                var cells = measures.Select(m => !p.Measures.TryGetValue(m, out var c) ? "–"
                    : double.IsNaN(c.Fisher) ? "–"
                    : c.Degenerate is not null ? I($"{c.Fisher:F2} ({c.P:G2}) *degenerate*")
                    : c.Significant ? I($"**{c.Fisher:F2} ({c.P:G2})**") : I($"{c.Fisher:F2} ({c.P:G2})"));
                string accuracy = double.IsNaN(model.BaselineAccuracy) ? "–" : I($"{model.BaselineAccuracy:F4}");
                string z = model.Clusterability?.Z is { } zz ? I($"{zz:F2}") : "–";
                text.AppendLine($"| {model.Name} | {model.Data} | {accuracy} | {p.Edges}, {p.Scope} | {string.Join(" | ", cells)} | {I($"{p.Ncut:F3}")} | {z} |");
            }
        if (comparison.Differences.Count > 0)
        {
            text.AppendLine();
            string critical = comparison.DifferencesCriticalP is { } cp ? I($"critical p = {cp:G3}") : "no p-value passes";
            text.AppendLine("Differences of Fisher statistics (A − B) with a two-sided permutation test of the subclusters' −ln(percentile) " +
                            $"(docs/method.md §7); **bold**: significant after Benjamini-Hochberg over these differences ({critical}).");
            text.AppendLine();
            text.AppendLine("| A | B | partitioning | measure | difference | p |");
            text.AppendLine("|---|---|---|---|---:|---:|");
            foreach (var d in comparison.Differences)
            {
                string cell = I($"{d.Difference:+0.000;-0.000} | {d.P:G3}");
                text.AppendLine($"| {d.A} | {d.B} | {d.Partitioning} | {d.Measure} | {(d.Significant ? $"**{cell.Replace(" | ", "** | **")}**" : cell)} |");
            }
        }
        return text.ToString();
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
