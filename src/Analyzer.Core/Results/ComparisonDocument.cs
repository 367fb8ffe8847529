namespace Analyzer.Core.Results;

/// <summary>A row of comparison.json: one model's statistics for one measure of one partitioning.</summary>
public sealed record ComparisonCell(double Fisher, double P, bool Significant, double Effect, double Se, string? Degenerate, int N = 0);

public sealed record ComparisonPartitioning(string Edges, string Scope, double Ncut, IReadOnlyDictionary<string, ComparisonCell> Measures);

public sealed record ComparisonClusterability(int K, double Ncut, double? Z, double Percentile);

/// <summary>One compared model; <c>Warnings</c> are its results' own (<see cref="WarningEntry"/>), kept so that a comparison
/// never drops what a model's results say of themselves.</summary>
public sealed record ComparisonModel(string Name, string Model, string ModelSha256, string Results, string Data, double BaselineAccuracy,
    IReadOnlyList<ComparisonPartitioning> Partitionings, ComparisonClusterability? Clusterability, IReadOnlyList<WarningEntry>? Warnings = null);

/// <summary>The difference of two models' Fisher statistics for one partitioning and measure, with its permutation p
/// (docs/method.md §7) and whether it survives Benjamini-Hochberg over all the differences.</summary>
public sealed record ComparisonDifference(string A, string B, string Partitioning, string Measure, double Difference, double P, bool Significant);

/// <summary>comparison.json (docs/design.md): the models side by side and their pairwise differences.</summary>
public sealed record ComparisonDocument(string AnalyzerVersion, IReadOnlyList<ComparisonModel> Models, IReadOnlyList<ComparisonDifference> Differences,
    double? DifferencesCriticalP);
