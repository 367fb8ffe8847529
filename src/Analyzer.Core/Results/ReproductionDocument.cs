namespace Analyzer.Core.Results;

/// <summary>One family's aggregate over its replicates under one convention, its entries marked over the whole table.</summary>
public sealed record ReproducedFamily(string Family, int Replicates, IReadOnlyList<PartitioningEntry> Partitionings);

/// <summary>One convention's table: the paper's definitions, or the authors' code (--compat all).</summary>
public sealed record ReproducedConvention(string Name, IReadOnlyList<string> Compat, SignificanceEntry Significance,
    IReadOnlyList<ReproducedFamily> Families);

/// <summary>reproduction.json: every convention's aggregated, table-corrected rows; the paper's values are in
/// reproduction.md beside them. <c>Seconds</c> is this invocation's wall time;
/// <c>ResumedAnalyses</c> counts the replicate analyses an earlier run had finished, which it read back instead of
/// computing (so a resumed run's time is not the experiment's), of <c>Analyses</c> in all (not written).</summary>
public sealed record ReproductionDocument(string AnalyzerVersion, int Seed, bool Fast, double Seconds, IReadOnlyList<ReproducedConvention> Conventions,
    int ResumedAnalyses = 0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public int Analyses { get; init; }
}
