using Analyzer.Core.Results;

namespace Analyzer.Reporting.Tables;

/// <summary>The row warnings of a results document (docs/method.md §7), numbered ⚠1, ⚠2, ... in table order, and the
/// marks each cell gets: table.md and the report number them alike. Degenerate measures have their own list.</summary>
public sealed class RowWarningMarks(ResultsDocument results)
{
    public IReadOnlyList<WarningEntry> Warnings { get; } =
        (results.Warnings ?? []).Where(w => w.Partitioning is not null && w.Kind != "degenerate-measure").ToList();

    /// <summary>" ⚠1 ⚠3" for the warnings of a partitioning's measure (null: of the partitioning itself).</summary>
    public string Marks(PartitioningEntry p, string? measure) => string.Concat(Warnings.Select((w, i) => (w, i))
        .Where(x => x.w.Partitioning == $"{p.Edges}-{p.Scope}" && x.w.Measure == measure).Select(x => $" ⚠{x.i + 1}"));

    /// <summary>"⚠2 weights network, acc-drop: message" per warning.</summary>
    public IEnumerable<string> Lines() => Warnings.Select((w, i) =>
        $"⚠{i + 1} {w.Partitioning!.Replace('-', ' ')}{(w.Measure is null ? "" : $", {w.Measure}")}: {w.Message}");
}
