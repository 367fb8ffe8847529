using Analyzer.Core.Measures;
using System.Globalization;
using System.Text;
using Analyzer.Core.Results;
using Analyzer.Reporting.Tables;

namespace Analyzer.Reporting.Reproduction;

/// <summary>
/// Renders `reproduce`'s result as the paper's Tables 1 and 2 with the published value beside each of ours
/// (<see cref="PaperTables"/>). Ours are bold as table.md bolds them; the paper's as the paper does (Fisher p ≤ 0.025,
/// the BH threshold it reports; effects more than 2 SE from 1 in the specialised direction).
/// </summary>
public static class ReproductionTable
{
    /// <summary>The columns: the measures of the paper's Tables 1 and 2, which a reproduction measures.</summary>
    private static readonly IReadOnlyList<string> Measures = Measure.Defaults.Select(m => m.Name).ToList();

    /// <summary>Our cell when no subcluster gave a finite value (the paper's missing cells stay "–").</summary>
    private const string NotFinite = "n/a";

    public static string Markdown(ReproductionDocument reproduction)
    {
        var (conventions, fast, seconds, resumed, analyses) = (reproduction.Conventions, reproduction.Fast, reproduction.Seconds,
            reproduction.ResumedAnalyses, reproduction.Analyses);
        var text = new StringBuilder();
        text.AppendLine("# Reproduction of Hod et al., Tables 1 and 2 (small networks)");
        text.AppendLine();
        text.AppendLine(Invariant($"{(fast ? "A short run (--fast: 2 replicates, 1000 test examples, 2 subclusters per partitioning); its numbers are noisier than the paper's. " : "")}Wall time {Duration(seconds)}{Resumed(resumed, analyses)}."));
        foreach (var convention in conventions)
        {
            text.AppendLine();
            text.AppendLine(convention.Compat.Count == 0
                ? $"## {convention.Name}: the paper's definitions (docs/method.md)"
                : $"## {convention.Name}: the authors' code (--compat {string.Join(",", convention.Compat)}; docs/method.md §9)");
            text.AppendLine();
            if (convention.Compat.Count > 0)
            {
                text.AppendLine("What moves the numbers from the previous section: " +
                                string.Join("; ", convention.Compat.Select(n => $"{n}: {ReferenceCompat.Descriptions.GetValueOrDefault(n, "see docs/method.md §9")}")) + ".");
                text.AppendLine();
            }
            string critical = convention.Significance.CriticalP is { } c ? $"critical p = {PValueText.Format(c)}" : "no p-value passes";
            text.AppendLine($"Fisher statistics (p-value), mean over replicates with the Bates p; ours **bold** when significant after " +
                            $"Benjamini-Hochberg over this table ({critical}); the paper's bold when p ≤ 0.025. (n): replicates.");
            text.AppendLine();
            Header(text);
            foreach (var family in convention.Families)
                foreach (var p in family.Partitionings)
                    Row(text, family, p, e => e.Significant, e => double.IsNaN(e.Fisher) ? NotFinite : Invariant($"{e.Fisher:F2} ({P(e.P)})"),
                        (c, _) => c.P <= 0.025, c => Invariant($"{c.Fisher:F2} ({P(c.P)})"));
            text.AppendLine();
            text.AppendLine("Effect measures (mean ± SE over the pooled subclusters); ours **bold** when notable (beyond 2 SE from 1 and " +
                            "the Fisher statistic significant; † beyond 2 SE only); the paper's bold when beyond 2 SE.");
            text.AppendLine();
            Header(text);
            foreach (var family in convention.Families)
                foreach (var p in family.Partitionings)
                    Row(text, family, p, e => e.Effect.Notable,
                        e => double.IsNaN(e.Effect.Mean) ? NotFinite : CellText.Effect(e),
                        (c, measure) => measure == "softmax-entropy" ? c.Effect + 2 * c.Se < 1 : c.Effect - 2 * c.Se > 1,
                        c => Invariant($"{c.Effect:F3} ± {c.Se:F3}"));
            text.AppendLine();
            text.AppendLine($"{NotFinite}: no subcluster gave a finite value (under --compat class-range, a lesion that changes no " +
                            "prediction has a mean class-wise drop of 0 to divide by). ± –: one subcluster, so no SE. The paper's –: " +
                            "not published (its Tables 1 and 2 have MNIST rows only).");
        }
        return text.ToString();
    }

    private static void Header(StringBuilder text)
    {
        text.AppendLine($"| network | partitioning | {string.Join(" | ", Measures.Select(m => $"{m} | paper"))} |");
        text.AppendLine($"|---|---|{string.Concat(Measures.Select(_ => "---|---|"))}");
    }

    private static void Row(StringBuilder text, ReproducedFamily family, PartitioningEntry p, Func<MeasureEntry, bool> bold,
        Func<MeasureEntry, string> cell, Func<PublishedCell, string, bool> paperBold, Func<PublishedCell, string> paperCell)
    {
        string key = $"{p.Edges}-{p.Scope}";
        var cells = Measures.SelectMany(m =>
        {
            string ours = !p.Measures.TryGetValue(m, out var e) ? "–"
                : e.Degenerate is not null ? $"{cell(e)} *degenerate*"
                : bold(e) ? $"**{cell(e)}**" : cell(e);
            var published = PaperTables.Of(family.Family, key, m);
            string theirs = published is null ? "–" : paperBold(published, m) ? $"**{paperCell(published)}**" : paperCell(published);
            return new[] { ours, theirs };
        });
        text.AppendLine($"| {PaperTables.RowName(family.Family)} ({family.Replicates}) | {p.Edges}, {p.Scope} | {string.Join(" | ", cells)} |");
    }

    /// <summary>Two significant digits, as the paper prints them.</summary>
    private static string P(double p) => CellText.P(p, digits: 2);

    private static string Resumed(int resumed, int analyses) => resumed == 0 ? ""
        : Invariant($" (this invocation; {resumed} of {analyses} replicate analyses were finished by an earlier run and read back)");

    private static string Duration(double seconds) => seconds < 120 ? Invariant($"{seconds:F0} s") : Invariant($"{seconds / 60:F1} min");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
