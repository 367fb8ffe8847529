namespace Analyzer.Reporting.Reproduction;

/// <summary>reproduction.json: every convention's aggregated, table-corrected rows; the paper's values are in
/// reproduction.md beside them (and in <see cref="PaperTables"/>). <c>Seconds</c> is this invocation's wall time;
/// <c>ResumedAnalyses</c> counts the replicate analyses an earlier run had finished, which it read back instead of
/// computing (so a resumed run's time is not the experiment's).</summary>
public sealed record ReproductionDocument(string AnalyzerVersion, int Seed, bool Fast, double Seconds, IReadOnlyList<ReproducedConvention> Conventions,
    int ResumedAnalyses = 0);
