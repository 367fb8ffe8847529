using System.Globalization;
using Analyzer.Core.Results;

namespace Analyzer.Reporting.Tables;

/// <summary>How a measure's Fisher statistic and effect read in a table cell, one way for table.md and report.html.</summary>
public static class CellText
{
    /// <summary>"F (p = …, n = …)", or "– (n = 0)" when no subcluster gave a finite value.</summary>
    public static string Fisher(MeasureEntry e) => double.IsNaN(e.Fisher)
        ? Invariant($"– (n = {e.N})")
        : Invariant($"{e.Fisher:F3} (p = {P(e.P)}, n = {e.N})");

    /// <summary>A p-value in <paramref name="digits"/> significant digits: 0.0145, 1.32e-8 (not 1.32E-08).</summary>
    public static string P(double p, int digits = 3) => PValueText.Format(p, digits);

    /// <summary>"mean ± SE", with † when beyond 2 SE from 1 but not notable (docs/method.md §7).</summary>
    public static string Effect(MeasureEntry e) => double.IsNaN(e.Effect.Mean)
        ? "–"
        : $"{Number(e.Effect.Mean)} ± {Number(e.Effect.Se)}" + (e.Effect.BeyondTwoSe && !e.Effect.Notable && e.Degenerate is null ? " †" : "");

    /// <summary>Three decimals, except that a value too small to show in them keeps two significant digits (an entropy
    /// effect of 7e-7 is not 0); "–" when not finite (an SE from one subcluster).</summary>
    public static string Number(double x) => !double.IsFinite(x) ? "–"
        : x == 0 || Math.Abs(x) >= 0.0005 ? Invariant($"{x:F3}") : Invariant($"{x:0.#e+0}");

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
