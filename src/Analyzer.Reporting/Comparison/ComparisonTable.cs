using System.Globalization;
using System.Text;
using Analyzer.Core.Results;

namespace Analyzer.Reporting.Comparison;

/// <summary>Renders a comparison (<see cref="ComparisonDocument"/>) as comparison.md.</summary>
public static class ComparisonTable
{
    public static string Markdown(ComparisonDocument comparison)
    {
        var measures = comparison.Models.SelectMany(m => m.Partitionings).SelectMany(p => p.Measures.Keys).Distinct().ToList();
        var text = new StringBuilder();
        text.AppendLine($"# Comparison of {comparison.Models.Count} models");
        text.AppendLine();
        if (comparison.Verdict is { } verdict)
        {
            text.AppendLine($"**Verdict.** {verdict.Summary}");
            text.AppendLine();
            foreach (var cell in verdict.Cells) text.AppendLine($"- {cell.Sentence}.");
            text.AppendLine();
        }
        text.AppendLine("Fisher statistic (p-value; n subclusters) per model and partitioning; **bold**: significant after Benjamini-Hochberg over that " +
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
                    : c.Degenerate is not null ? $"{Statistic(c)} *degenerate*"
                    : c.Significant ? $"**{Statistic(c)}**" : Statistic(c));
                string accuracy = double.IsNaN(model.BaselineAccuracy) ? "–" : I($"{model.BaselineAccuracy:F4}");
                string z = model.Clusterability?.Z is { } zz ? I($"{zz:F2}") : "–";
                text.AppendLine($"| {model.Name} | {model.Data} | {accuracy} | {p.Edges}, {p.Scope} | {string.Join(" | ", cells)} | {I($"{p.Ncut:F3}")} | {z} |");
            }
        if (comparison.Differences.Count > 0)
        {
            text.AppendLine();
            string critical = comparison.DifferencesCriticalP is { } cp ? $"critical p = {PValueText.Format(cp)}" : "no p-value passes";
            text.AppendLine("Differences of Fisher statistics (A − B) with a two-sided permutation test of the subclusters' −ln(percentile) " +
                            $"(docs/method.md §7); **bold**: significant after Benjamini-Hochberg over these differences ({critical}).");
            text.AppendLine();
            text.AppendLine("| A | B | partitioning | measure | difference | p |");
            text.AppendLine("|---|---|---|---|---:|---:|");
            foreach (var d in comparison.Differences)
            {
                string cell = I($"{d.Difference:+0.000;-0.000} | {PValueText.Format(d.P)}");
                text.AppendLine($"| {d.A} | {d.B} | {d.Partitioning} | {d.Measure} | {(d.Significant ? $"**{cell.Replace(" | ", "** | **")}**" : cell)} |");
            }
        }
        var readings = comparison.Models.Where(m => m.Clusterability?.Reading is not null).ToList();
        if (readings.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Clusterability:");
            text.AppendLine();
            foreach (var model in readings) text.AppendLine($"- {model.Name}: {model.Clusterability!.Reading}");
        }
        return text.ToString();
    }

    private static string Statistic(ComparisonCell c) => I($"{c.Fisher:F2} ({PValueText.Format(c.P)}; n = {c.N})");

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
