namespace Analyzer.Core.Statistics;

/// <summary>
/// Percentile of a true subcluster's value x among its R random controls, oriented so that low means specialised:
/// p = (more + w·ties + 0.5) / (R + 1), with more = #controls more specialised-looking than x, ties = #controls equal to
/// x, and w = 1/2 (mid-rank) or 0 (strict). For R = 19, p lies in [0.025, 0.975] (docs/method.md §7).
/// </summary>
public static class SubclusterPercentile
{
    public static double Compute(double value, IReadOnlyList<double> controls, MeasureOrientation orientation,
        PercentileTies ties = PercentileTies.MidRank)
    {
        ArgumentNullException.ThrowIfNull(controls);
        if (controls.Count == 0)
            throw new ArgumentException("at least one control value is needed", nameof(controls));
        if (!double.IsFinite(value) || controls.Any(c => !double.IsFinite(c)))
            throw new ArgumentException("values must be finite; exclude NaN or infinite subclusters before ranking");
        int more = 0, equal = 0;
        foreach (double c in controls)
        {
            if (c == value) equal++;
            else if (orientation == MeasureOrientation.HigherIsSpecialised ? c > value : c < value) more++;
        }
        double tieWeight = ties == PercentileTies.MidRank ? 0.5 : 0.0;
        return (more + tieWeight * equal + 0.5) / (controls.Count + 1);
    }
}
