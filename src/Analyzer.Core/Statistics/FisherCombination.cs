namespace Analyzer.Core.Statistics;

/// <summary>
/// Fisher's method over subcluster percentiles (docs/method.md §7): F = -(1/n) Σ ln pᵢ (uniform percentiles give about 0.98),
/// and its p-value P(χ²₂ₙ ≥ 2nF) under the null that the pᵢ are independent U(0, 1).
/// </summary>
public static class FisherCombination
{
    public static double Statistic(IReadOnlyList<double> percentiles)
    {
        ArgumentNullException.ThrowIfNull(percentiles);
        if (percentiles.Count == 0)
            throw new ArgumentException("no percentiles to combine", nameof(percentiles));
        double sum = 0;
        foreach (double p in percentiles)
        {
            if (!(p > 0 && p <= 1))
                throw new ArgumentOutOfRangeException(nameof(percentiles), $"percentile {p} is outside (0, 1]");
            sum += Math.Log(p);
        }
        return -sum / percentiles.Count;
    }

    /// <summary>P(χ² with 2n degrees of freedom ≥ 2nF).</summary>
    public static double PValue(double statistic, int n) => ChiSquareSurvivalEvenDof(2 * n * statistic, n);

    /// <summary>
    /// Survival function of χ² with 2m degrees of freedom, exactly: e^(-x/2) Σ_{j=0}^{m-1} (x/2)^j / j!, the Poisson identity.
    /// Terms are summed in log space, so large m and x neither overflow nor underflow early.
    /// </summary>
    public static double ChiSquareSurvivalEvenDof(double x, int m)
    {
        if (m < 1) throw new ArgumentOutOfRangeException(nameof(m), $"m = {m}; expected at least 1");
        if (x <= 0) return 1.0;
        double half = x / 2, logHalf = Math.Log(half);
        // log-sum-exp over log terms t_j = j log(x/2) - log j! - x/2.
        double logTerm = -half, max = double.NegativeInfinity;
        var logs = new double[m];
        for (int j = 0; j < m; j++)
        {
            if (j > 0) logTerm += logHalf - Math.Log(j);
            logs[j] = logTerm;
            max = Math.Max(max, logTerm);
        }
        double sum = 0;
        foreach (double l in logs) sum += Math.Exp(l - max);
        return Math.Min(1.0, Math.Exp(max + Math.Log(sum)));
    }
}
