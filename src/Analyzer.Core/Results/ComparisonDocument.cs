namespace Analyzer.Core.Results;

/// <summary>A row of comparison.json: one model's statistics for one measure of one partitioning, with n (its
/// subclusters) and its own verdict's finding (<see cref="VerdictCell"/>).</summary>
public sealed record ComparisonCell(double Fisher, double P, bool Significant, double Effect, double Se, string? Degenerate, int N = 0,
    string? Finding = null);

public sealed record ComparisonPartitioning(string Edges, string Scope, double Ncut, IReadOnlyDictionary<string, ComparisonCell> Measures);

public sealed record ComparisonClusterability(int K, double Ncut, double? Z, double Percentile, string? Reading = null);

/// <summary>One compared model; <c>Warnings</c> are its results' own (<see cref="WarningEntry"/>), kept so that a comparison
/// never drops what a model's results say of themselves.</summary>
public sealed record ComparisonModel(string Name, string Model, string ModelSha256, string Results, string Data, double BaselineAccuracy,
    IReadOnlyList<ComparisonPartitioning> Partitionings, ComparisonClusterability? Clusterability, IReadOnlyList<WarningEntry>? Warnings = null);

/// <summary>The difference of two models' Fisher statistics for one partitioning and measure, with its permutation p
/// (docs/method.md §7) and whether it survives Benjamini-Hochberg over all the differences.</summary>
public sealed record ComparisonDifference(string A, string B, string Partitioning, string Measure, double Difference, double P, bool Significant);

/// <summary>The comparison's verdict on one partitioning and measure (docs/method.md §7, comparing models): the model
/// with the highest Fisher statistic, whether it is detectably more specialised than every other (its differences
/// significant after the correction), the smallest difference of F the pairs' n could detect, and the sentence.</summary>
public sealed record ComparisonVerdictCell(string Partitioning, string Measure, string? Highest, bool Detectable,
    double? SmallestDetectableDifference, string Sentence);

/// <summary>The comparison's verdict in words: a summary a reviewer can paste and a sentence per partitioning and measure.</summary>
public sealed record ComparisonVerdictEntry(string Summary, IReadOnlyList<ComparisonVerdictCell> Cells);

/// <summary>comparison.json (docs/design.md): the verdict, the models side by side and their pairwise differences.</summary>
public sealed record ComparisonDocument(string AnalyzerVersion, IReadOnlyList<ComparisonModel> Models, IReadOnlyList<ComparisonDifference> Differences,
    double? DifferencesCriticalP, ComparisonVerdictEntry? Verdict = null);
