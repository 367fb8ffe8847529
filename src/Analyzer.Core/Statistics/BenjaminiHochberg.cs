namespace Analyzer.Core.Statistics;

/// <summary>Outcome of the Benjamini-Hochberg procedure: which hypotheses are rejected, the largest p-value that
/// passes (null when none does), and the BH-adjusted p-values (statsmodels' fdr_bh).</summary>
public sealed record BenjaminiHochbergResult(bool[] Significant, double? CriticalP, double[] Adjusted);

/// <summary>
/// Benjamini and Hochberg (1995) false-discovery-rate control over every p-value of a table (docs/method.md §7): with the
/// p-values sorted ascending, find the largest i with p_(i) ≤ (i/m)·α; reject the i smallest.
/// </summary>
public static class BenjaminiHochberg
{
    public static BenjaminiHochbergResult Apply(IReadOnlyList<double> pValues, double alpha = 0.05)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        int m = pValues.Count;
        var order = Enumerable.Range(0, m).OrderBy(i => pValues[i]).ThenBy(i => i).ToArray();
        int passing = 0;
        for (int rank = 1; rank <= m; rank++)
            if (pValues[order[rank - 1]] <= rank * alpha / m) passing = rank;
        var significant = new bool[m];
        for (int rank = 1; rank <= passing; rank++) significant[order[rank - 1]] = true;
        var adjusted = new double[m];
        double running = 1.0;
        for (int rank = m; rank >= 1; rank--)
        {
            int i = order[rank - 1];
            running = Math.Min(running, pValues[i] * m / rank);
            adjusted[i] = Math.Min(1.0, running);
        }
        return new BenjaminiHochbergResult(significant, passing > 0 ? pValues[order[passing - 1]] : null, adjusted);
    }
}
