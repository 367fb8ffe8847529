namespace Analyzer.Core.Results;

/// <summary>
/// Why a result may mean little (docs/method.md §7, warnings): a baseline at chance, labels from another label space, a
/// row whose subclusters are too few to reach significance, clusters of one unit, a degenerate measure. <c>Kind</c> is
/// a stable name for machines; <c>Partitioning</c> ("weights-network") and <c>Measure</c> place a row's warning beside
/// its row, and are null for a warning about the whole run.
/// </summary>
public sealed record WarningEntry(string Kind, string Message, string? Partitioning = null, string? Measure = null);
