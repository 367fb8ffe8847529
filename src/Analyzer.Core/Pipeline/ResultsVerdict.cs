using Analyzer.Core.Results;
using static System.FormattableString;

namespace Analyzer.Core.Pipeline;

/// <summary>What one row of one measure shows (docs/method.md §7, verdict).</summary>
public enum Finding
{
    /// <summary>Significant Fisher statistic and an effect beyond 2 SE in the specialised direction.</summary>
    Specialised,
    /// <summary>Significant Fisher statistic, effect within 2 SE of 1: a few subclusters stand out (the paper's J shape).</summary>
    Some,
    /// <summary>Not significant: no specialisation detectable at this n.</summary>
    NoneDetectable,
    /// <summary>The measure cannot resolve specialisation in this row.</summary>
    Degenerate,
    /// <summary>No subcluster was measured.</summary>
    NotMeasured,
}

/// <summary>
/// Computes the verdict from the results alone (docs/method.md §7, verdict): per measure and partitioning, specialised
/// (significant after the table's correction and an effect beyond 2 SE), some (significant, effect within 2 SE),
/// none detectable at this n (with the smallest p the row's n could give), degenerate, or not measured; then, per
/// measure, where it shows. Never fixed text: every clause comes from a number of the results.
/// </summary>
public static class ResultsVerdict
{
    public static Finding Classify(MeasureEntry m) =>
        m.N == 0 || double.IsNaN(m.Fisher) ? Finding.NotMeasured
        : m.Degenerate is not null ? Finding.Degenerate
        : m.Significant && m.Effect.Notable ? Finding.Specialised
        : m.Significant ? Finding.Some
        : Finding.NoneDetectable;

    /// <param name="subject">What the summary names (default: the model's file name without its extension).</param>
    public static VerdictEntry Of(ResultsDocument results, string? subject = null)
    {
        var cells = new List<VerdictCell>();
        foreach (var p in results.Partitionings)
            foreach (var (measure, m) in p.Measures)
                cells.Add(new VerdictCell($"{p.Edges}-{p.Scope}", measure, Name(Classify(m)), Sentence($"{p.Edges}, {p.Scope}", measure, m, results.Random)));
        return new VerdictEntry(Summary(results, cells, subject ?? Path.GetFileNameWithoutExtension(results.Model)), cells);
    }

    public static string Name(Finding finding) => Errors.Choices.Kebab(finding.ToString());

    private static string Sentence(string row, string measure, MeasureEntry m, int random)
    {
        string fisher = Invariant($"F = {m.Fisher:F3} (p = {PValueText.Format(m.P)}, n = {m.N})");
        string effect = Invariant($"effect {Number(m.Effect.Mean)} ± {Number(m.Effect.Se)}");
        return Classify(m) switch
        {
            Finding.Specialised => $"{measure}, {row}: specialised: {fisher}, significant after the correction, and {effect}, beyond 2 SE",
            Finding.Some => $"{measure}, {row}: some specialisation: {fisher} is significant, but {effect} is within 2 SE of 1, " +
                            "so a few subclusters stand out among many that do not",
            Finding.NoneDetectable => $"{measure}, {row}: none detectable at this n: {fisher}; " +
                (ResultWarnings.SmallestP(m.N, random) is var smallest && smallest > ResultWarnings.Alpha
                    ? Invariant($"{m.N} subcluster{(m.N == 1 ? "" : "s")} can give p ≥ {PValueText.Format(smallest)} at best, never significant")
                    : Invariant($"{m.N} subclusters could have given p down to {PValueText.Format(smallest)}")) +
                (m.Effect.BeyondTwoSe ? $"; {effect} is beyond 2 SE, but the Fisher test does not confirm it" : ""),
            Finding.Degenerate => $"{measure}, {row}: cannot show specialisation here ({m.Degenerate})",
            _ => $"{measure}, {row}: not measured (no subcluster)",
        };
    }

    private static string Summary(ResultsDocument results, List<VerdictCell> cells, string model)
    {
        string on = results.Examples == 0 ? "without data" : $"on {results.Data}";
        var clauses = new List<string>();
        foreach (var group in cells.GroupBy(c => c.Measure))
        {
            var found = group.GroupBy(c => c.Finding).ToDictionary(g => g.Key, g => g.Select(c => c.Partitioning.Replace('-', ' ')).ToList());
            int total = group.Count();
            string Rows(string finding) => $"{found[finding].Count} of {total} partitionings ({string.Join("; ", found[finding])})";
            var parts = new List<string>();
            if (found.ContainsKey(Name(Finding.Specialised))) parts.Add($"specialised in {Rows(Name(Finding.Specialised))}");
            if (found.ContainsKey(Name(Finding.Some))) parts.Add($"some specialisation in {Rows(Name(Finding.Some))}");
            if (parts.Count == 0)
                parts.Add(found.ContainsKey(Name(Finding.NoneDetectable)) ? "no specialisation detectable" : "nothing it could resolve");
            clauses.Add($"{group.Key}: {string.Join(", ", parts)}");
        }
        int warnings = results.Warnings?.Count ?? 0;
        return $"{model} {on}: " + (clauses.Count == 0 ? "no measure was taken" : string.Join("; ", clauses)) + "." +
            (warnings == 0 ? "" : $" {warnings} warning{(warnings == 1 ? " qualifies" : "s qualify")} these results.");
    }

    private static string Number(double x) => !double.IsFinite(x) ? "–" : Invariant($"{x:F3}");
}
