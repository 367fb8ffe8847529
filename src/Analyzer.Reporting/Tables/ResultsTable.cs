using System.Globalization;
using System.Text;
using Analyzer.Core.Results;

namespace Analyzer.Reporting.Tables;

/// <summary>
/// Renders results.json as the paper's Tables 1 and 2 in Markdown: a row per network and partitioning; Fisher
/// statistics with p-values (bold when significant after Benjamini-Hochberg), and effect measures ± SE (bold when more
/// than two standard errors from 1 in the specialised direction). Only formats: every number comes from the document.
/// </summary>
public static class ResultsTable
{
    public static string Markdown(ResultsDocument results)
    {
        var measures = results.Partitionings.SelectMany(p => p.Measures.Keys).Distinct().ToList();
        string network = NetworkName(results);
        var text = new StringBuilder();
        text.AppendLine($"# Local specialization: {results.Model} on {results.Data}");
        text.AppendLine();
        if (results.Verdict is { } verdict)
        {
            text.AppendLine($"**Verdict.** {verdict.Summary}");
            text.AppendLine();
        }
        string baseline = results.Examples == 0 ? "No test data used (weight graphs and feature visualisation only)"
            : results.Labels == "model" ? Invariant($"Lesions scored against the intact model's own predictions on {results.Examples} examples (--labels model)")
            : Invariant($"Baseline test accuracy {results.BaselineAccuracy:F4} on {results.Examples} examples");
        text.AppendLine(Invariant($"{baseline}; k = {results.K}; {results.Random} random subclusters per subcluster; seed {results.Seed}; {results.Device}."));
        if (results.SkippedMeasures is { Count: > 0 } left)
            text.AppendLine().AppendLine("Left out: " + string.Join("; ", left.GroupBy(s => s.Reason)
                .Select(g => $"{string.Join(", ", g.Select(s => s.Measure))} ({g.Key})")) + ".");
        foreach (var warning in (results.Warnings ?? []).Where(w => w.Partitioning is null))
            text.AppendLine().AppendLine($"**Warning:** {warning.Message}.");
        if (results.Compat is { Count: > 0 } compat)
            text.AppendLine($"Reference-compat switches (docs/method.md §9, not the paper's definitions): {string.Join(", ", compat)}.");
        text.AppendLine();
        string critical = results.Significance.CriticalP is { } c ? $"critical p = {PValueText.Format(c)}" : "no p-value passes";
        text.AppendLine(Invariant($"Fisher statistics (p-value). Uniform percentiles give 0.98; **bold**: significant after {results.Significance.Method} at α = {results.Significance.Alpha} over this table ({critical})."));
        text.AppendLine();
        var marks = new RowWarningMarks(results);
        Header(text, measures);
        foreach (var p in results.Partitionings)
            Row(text, network, p, measures, m => m.Significant,
                CellText.Fisher, marks.Marks);
        if (marks.Warnings.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Warnings (results.json lists them under warnings; docs/method.md §7):");
            text.AppendLine();
            foreach (string line in marks.Lines()) text.AppendLine($"- {line}.");
        }
        text.AppendLine();
        text.AppendLine("Effect measures (mean ± SE). Above 1: more important/coherent than random (below 1 for " +
                        "softmax-entropy); **bold**: more than 2 SE from 1 in that direction and the row's Fisher statistic " +
                        "significant; †: more than 2 SE from 1 (the paper's bold) but the Fisher statistic is not significant.");
        text.AppendLine();
        Header(text, measures);
        foreach (var p in results.Partitionings)
            Row(text, network, p, measures, m => m.Effect.Notable,
                CellText.Effect);
        var degenerate = results.Partitionings.SelectMany(p => p.Measures.Where(m => m.Value.Degenerate is not null)
            .Select(m => $"{p.Edges}, {p.Scope}, {m.Key}: {m.Value.Degenerate}")).ToList();
        if (degenerate.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Degenerate measures (marked *degenerate*, never bold, left out of the multiple-testing correction; " +
                            "docs/method.md §7):");
            text.AppendLine();
            foreach (string line in degenerate) text.AppendLine($"- {line}");
        }
        return text.ToString();
    }

    /// <summary>The row label: the model file's name, or "N replicates" for an aggregate (whose model names them all).</summary>
    public static string NetworkName(ResultsDocument results) =>
        results.Partitionings.SelectMany(p => p.Measures.Values).FirstOrDefault()?.ReplicateFisher is { } replicates
            ? $"{replicates.Count} replicates"
            : Path.GetFileNameWithoutExtension(results.Model);

    private static void Header(StringBuilder text, List<string> measures)
    {
        text.AppendLine($"| network | partitioning | {string.Join(" | ", measures)} |");
        text.AppendLine($"|---|---|{string.Concat(measures.Select(_ => "---|"))}");
    }

    private static void Row(StringBuilder text, string network, PartitioningEntry p, List<string> measures,
        Func<MeasureEntry, bool> bold, Func<MeasureEntry, string> cell, Func<PartitioningEntry, string?, string>? marks = null)
    {
        var cells = measures.Select(m => (!p.Measures.TryGetValue(m, out var e) ? "–"
            : e.Degenerate is not null ? $"{cell(e)} *degenerate*"
            : bold(e) ? $"**{cell(e)}**" : cell(e)) + (marks?.Invoke(p, m) ?? ""));
        text.AppendLine($"| {network} | {p.Edges}, {p.Scope}{marks?.Invoke(p, null)} | {string.Join(" | ", cells)} |");
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
