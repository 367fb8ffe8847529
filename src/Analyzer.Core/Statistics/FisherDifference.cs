namespace Analyzer.Core.Statistics;

/// <summary>
/// Whether two networks' Fisher statistics for one partitioning and measure differ by more than chance
/// (docs/method.md §7, comparing models): a two-sided permutation test of the difference of the means of −ln(percentile)
/// over the two sets of subclusters. The Fisher statistic is that mean, and under either network's own null its terms
/// are not normal (discrete, skewed), so the test permutes the pooled terms rather than assuming a distribution; the
/// permutations are seeded, and p = (1 + #{|permuted difference| ≥ |observed|}) / (1 + permutations).
/// </summary>
public static class FisherDifference
{
    public sealed record Result(double Difference, double P, int Permutations);

    /// <summary>Null when either side has fewer than 2 subclusters.</summary>
    public static Result? Test(IReadOnlyList<double> percentilesA, IReadOnlyList<double> percentilesB, int seed, int permutations = 10_000)
    {
        if (percentilesA.Count < 2 || percentilesB.Count < 2) return null;
        var pooled = percentilesA.Concat(percentilesB).Select(p => -Math.Log(p)).ToArray();
        int na = percentilesA.Count;
        double total = pooled.Sum();
        double Difference(double[] values)
        {
            double a = 0;
            for (int i = 0; i < na; i++) a += values[i];
            return a / na - (total - a) / (values.Length - na);
        }
        double observed = Difference(pooled);
        var rng = new Random(seed);
        var shuffled = (double[])pooled.Clone();
        int extreme = 0;
        for (int r = 0; r < permutations; r++)
        {
            // Only the first na positions matter: a partial Fisher-Yates shuffle draws them.
            for (int i = 0; i < na; i++)
            {
                int j = rng.Next(i, shuffled.Length);
                (shuffled[i], shuffled[j]) = (shuffled[j], shuffled[i]);
            }
            if (Math.Abs(Difference(shuffled)) >= Math.Abs(observed) - 1e-12) extreme++;
        }
        return new Result(observed, (1.0 + extreme) / (1.0 + permutations), permutations);
    }
}
