namespace Analyzer.Core.Statistics;

/// <summary>One measure of one partitioning combined over R identically trained replicates (docs/method.md §7).</summary>
public sealed record AggregatedMeasure(double Fisher, double P, EffectSummary Effect);

/// <summary>
/// Combines replicates: the Fisher statistic is the mean of the replicates' statistics; the p-value is the Bates
/// (Irwin-Hall) CDF of the mean of their p-values; effects pool every subcluster of every replicate.
/// </summary>
public static class ReplicateAggregation
{
    public static AggregatedMeasure Combine(IReadOnlyList<double> fisher, IReadOnlyList<double> pValues, IReadOnlyList<double> pooledEffects)
    {
        if (fisher.Count == 0 || fisher.Count != pValues.Count)
            throw new ArgumentException($"{fisher.Count} Fisher statistics and {pValues.Count} p-values; expected one of each per replicate");
        return new AggregatedMeasure(fisher.Average(), IrwinHall.CombinePValues(pValues), EffectMeasure.Summarise(pooledEffects));
    }
}
