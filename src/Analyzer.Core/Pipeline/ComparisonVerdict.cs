using Analyzer.Core.Results;
using static System.FormattableString;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// The comparison's verdict in words, computed from the comparison alone (docs/method.md §7, comparing models): for each
/// partitioning and measure, which model has the highest Fisher statistic, whether it is detectably more specialised
/// (its differences from every other model significant after the correction), and the smallest difference of F the
/// pairs' n could detect; then a summary per measure.
/// </summary>
public static class ComparisonVerdict
{
    /// <summary>z(1 − α/2) + z(power) for α = 0.05 two-sided and 80% power.</summary>
    public const double DetectionZ = 1.959964 + 0.841621;

    /// <summary>The difference of two Fisher statistics (means of −ln(percentile), each term of variance about 1 under
    /// the null) that a two-sided test at α = 0.05 finds with 80% power, before the correction over differences; null
    /// when a side has fewer than 2 subclusters (no test).</summary>
    public static double? SmallestDetectableDifference(int na, int nb) =>
        na < 2 || nb < 2 ? null : DetectionZ * Math.Sqrt(1.0 / na + 1.0 / nb);

    public static ComparisonVerdictEntry Of(IReadOnlyList<ComparisonModel> models, IReadOnlyList<ComparisonDifference> differences)
    {
        var keys = models.SelectMany(m => m.Partitionings.SelectMany(p => p.Measures.Keys.Select(measure => (Key: $"{p.Edges}-{p.Scope}", Measure: measure))))
            .Distinct().ToList();
        var cells = keys.Select(k => Cell(models, differences, k.Key, k.Measure)).ToList();
        return new ComparisonVerdictEntry(Summary(models, cells), cells);
    }

    private static ComparisonVerdictCell Cell(IReadOnlyList<ComparisonModel> models, IReadOnlyList<ComparisonDifference> differences, string key, string measure)
    {
        string row = $"{measure}, {key.Replace('-', ' ')}";
        var measured = models
            .Select(m => (m.Name, Cell: m.Partitionings.FirstOrDefault(p => $"{p.Edges}-{p.Scope}" == key)?.Measures.GetValueOrDefault(measure)))
            .Where(x => x.Cell is { N: > 0, Degenerate: null } c && double.IsFinite(c.Fisher))
            .Select(x => (x.Name, Cell: x.Cell!))
            .OrderByDescending(x => x.Cell.Fisher).ToList();
        if (measured.Count < 2)
            return new ComparisonVerdictCell(key, measure, null, false, null,
                $"{row}: not compared: " + (measured.Count == 0 ? "no model measured it (or only degenerately)" : $"only {measured[0].Name} measured it"));

        var top = measured[0];
        var pairs = differences.Where(d => d.Partitioning == key && d.Measure == measure).ToList();
        var topPairs = measured.Skip(1).Select(other => pairs.FirstOrDefault(d => (d.A, d.B) == (top.Name, other.Name) || (d.A, d.B) == (other.Name, top.Name))).ToList();
        bool detectable = topPairs.All(d => d is { Significant: true });
        var detectableSizes = Enumerable.Range(0, measured.Count).SelectMany(i => measured.Skip(i + 1)
            .Select(b => SmallestDetectableDifference(measured[i].Cell.N, b.Cell.N))).OfType<double>().ToList();
        double? smallest = detectableSizes.Count == 0 ? null : detectableSizes.Min();
        string sizes = detectableSizes.Count == 0 ? "no pair could be tested (a side with fewer than 2 subclusters)"
            : Invariant($"at these n a difference of F below about {Range(detectableSizes)} is unlikely to be found (80% power at α = 0.05, before the correction over differences)");

        string sentence;
        if (measured.Count == 2)
        {
            var (other, d) = (measured[1], topPairs[0]);
            string values = Invariant($"F = {top.Cell.Fisher:F3} (n = {top.Cell.N}) for {top.Name} against {other.Cell.Fisher:F3} (n = {other.Cell.N}) for {other.Name}");
            sentence = d is null ? $"{row}: not tested: {values}; {sizes}"
                : detectable ? Invariant($"{row}: {top.Name} is more specialised than {other.Name}: {values}, a difference of {Math.Abs(d.Difference):F3} with p = {PValueText.Format(d.P)}, significant after the correction")
                : Invariant($"{row}: no difference detectable: {values}, a difference of {Math.Abs(d.Difference):F3} with p = {PValueText.Format(d.P)}, not significant after the correction; {sizes}");
        }
        else
        {
            string ranking = string.Join(", ", measured.Select(x => Invariant($"{x.Name} {x.Cell.Fisher:F3} (n = {x.Cell.N}{Own(x.Cell)})")));
            var significant = pairs.Where(d => d.Significant).ToList();
            string pairsText = detectable ? $"{top.Name} is more specialised than each of the others, every difference significant after the correction"
                : significant.Count > 0 ? "significant after the correction: " + string.Join(", ", significant.Select(d =>
                    Invariant($"{(d.Difference > 0 ? d.A : d.B)} over {(d.Difference > 0 ? d.B : d.A)} (p = {PValueText.Format(d.P)})")))
                : pairs.Count > 0 ? $"no pair differs significantly (smallest p = {PValueText.Format(pairs.Min(d => d.P))})"
                : "no pair was tested";
            sentence = $"{row}: highest F first: {ranking}; {pairsText}" + (detectable ? "" : $"; {sizes}");
        }
        return new ComparisonVerdictCell(key, measure, top.Name, detectable, smallest, sentence);
    }

    private static string Summary(IReadOnlyList<ComparisonModel> models, List<ComparisonVerdictCell> cells)
    {
        var clauses = new List<string>();
        foreach (var group in cells.GroupBy(c => c.Measure))
        {
            var compared = group.Where(c => c.Highest is not null).ToList();
            if (compared.Count == 0) { clauses.Add($"{group.Key}: not compared"); continue; }
            var found = compared.Where(c => c.Detectable).Select(c => $"{c.Highest} in {c.Partitioning.Replace('-', ' ')}").ToList();
            var sizes = compared.Where(c => !c.Detectable).Select(c => c.SmallestDetectableDifference).OfType<double>().ToList();
            string none = sizes.Count == 0 ? "" : Invariant($" (differences of F below about {Range(sizes)} could not be expected to show)");
            clauses.Add(found.Count == compared.Count ? $"{group.Key}: most specialised {string.Join(", ", found)}"
                : found.Count > 0 ? $"{group.Key}: most specialised {string.Join(", ", found)}; elsewhere no model detectably more specialised{none}"
                : $"{group.Key}: no model detectably more specialised than another{none}");
        }
        int warnings = models.Sum(m => m.Warnings?.Count ?? 0);
        return $"{models.Count} models compared ({string.Join(", ", models.Select(m => m.Name))}): " +
            (clauses.Count == 0 ? "no measure in common" : string.Join("; ", clauses)) + "." +
            (warnings == 0 ? "" : $" {warnings} warning{(warnings == 1 ? " qualifies" : "s qualify")} the models' results.");
    }

    private static string Own(ComparisonCell cell) => cell.Finding is { } f ? $", on its own: {f.Replace('-', ' ')}" : "";

    private static string Range(IReadOnlyList<double> values) =>
        values.Min() is var lo && values.Max() is var hi && hi - lo < 0.0005 ? Invariant($"{lo:F2}") : Invariant($"{lo:F2} to {hi:F2}");
}
