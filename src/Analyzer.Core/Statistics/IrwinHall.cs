namespace Analyzer.Core.Statistics;

/// <summary>
/// The distribution of the mean of R independent U(0, 1) variables (Bates; the Irwin-Hall sum scaled by 1/R), used to
/// combine the p-values of R identically trained replicates (docs/method.md §7):
/// P(mean ≤ m) = (1/R!) Σ_{k=0}^{⌊s⌋} (-1)^k C(R, k) (s - k)^R with s = R·m. (The paper's exponent R - 1 is a typo: that
/// is the density.)
/// </summary>
public static class IrwinHall
{
    /// <summary>The alternating sum loses precision for many replicates; beyond this count it is not trusted.</summary>
    public const int MaxReplicates = 20;

    public static double MeanCdf(double mean, int replicates)
    {
        if (replicates < 1 || replicates > MaxReplicates)
            throw new ArgumentOutOfRangeException(nameof(replicates), $"{replicates} replicates; expected 1 to {MaxReplicates}");
        if (mean <= 0) return 0;
        if (mean >= 1) return 1;
        double s = replicates * mean;
        // Use the symmetry P(S ≤ s) = 1 - P(S ≤ R - s) to keep the alternating sum short.
        bool upper = s > replicates / 2.0;
        if (upper) s = replicates - s;
        double sum = 0, binomial = 1;
        for (int k = 0; k <= (int)Math.Floor(s); k++)
        {
            if (k > 0) binomial = binomial * (replicates - k + 1) / k;
            sum += (k % 2 == 0 ? 1 : -1) * binomial * Math.Pow(s - k, replicates);
        }
        double factorial = 1;
        for (int i = 2; i <= replicates; i++) factorial *= i;
        double cdf = Math.Clamp(sum / factorial, 0, 1);
        return upper ? 1 - cdf : cdf;
    }

    /// <summary>The combined p-value of replicate p-values: P(mean of R uniforms ≤ their mean).</summary>
    public static double CombinePValues(IReadOnlyList<double> pValues)
    {
        ArgumentNullException.ThrowIfNull(pValues);
        if (pValues.Count == 0) throw new ArgumentException("no p-values to combine", nameof(pValues));
        return MeanCdf(pValues.Average(), pValues.Count);
    }
}
