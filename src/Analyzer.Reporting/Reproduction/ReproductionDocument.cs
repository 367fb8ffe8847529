namespace Analyzer.Reporting.Reproduction;

/// <summary>reproduction.json: every convention's aggregated, table-corrected rows; the paper's values are in
/// reproduction.md beside them (and in <see cref="PaperTables"/>).</summary>
public sealed record ReproductionDocument(string AnalyzerVersion, int Seed, bool Fast, double Seconds, IReadOnlyList<ReproducedConvention> Conventions);
