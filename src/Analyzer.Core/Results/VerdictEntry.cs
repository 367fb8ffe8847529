namespace Analyzer.Core.Results;

/// <summary>The verdict on one row and measure: its finding (specialised, some, none-detectable, degenerate,
/// not-measured) and the sentence that says it with its numbers.</summary>
public sealed record VerdictCell(string Partitioning, string Measure, string Finding, string Sentence);

/// <summary>The verdict of a result in words (results.json's <c>verdict</c>; the first thing table.md and the report
/// show): a summary a reviewer can paste, and a sentence per row and measure (docs/method.md §7, verdict).</summary>
public sealed record VerdictEntry(string Summary, IReadOnlyList<VerdictCell> Cells);
