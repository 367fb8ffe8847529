using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>The best of several k-means runs: labels per point and the within-cluster sum of squares.</summary>
public sealed record KMeansResult(int[] Labels, double Inertia, int Iterations);

/// <summary>
/// Lloyd's k-means with greedy k-means++ seeding (2 + ln k candidates per centre, as scikit-learn), optionally refined
/// by Hartigan single-point moves, several seeded restarts, the lowest inertia wins (docs/method.md §4). Restarts run in parallel; each has its own seed derived from the
/// run's seed and its index, and ties go to the lower index, so the result does not depend on scheduling.
/// </summary>
public static class KMeans
{
    /// <summary>Every restart's result, in restart order.</summary>
    /// <param name="points">[n x d] row-major.</param>
    public static KMeansResult[] FitAll(double[] points, int n, int d, int k, int restarts, int maxIterations, int seed,
        KMeansRefinement refinement = KMeansRefinement.Hartigan)
    {
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be between 1 and the number of points ({n})");
        if (points.Length != n * d)
            throw new ArgumentException($"points has {points.Length} values; expected {n} x {d}", nameof(points));
        var results = new KMeansResult[restarts];
        var norms = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += points[i * d + j] * points[i * d + j];
            norms[i] = s;
        }
        Parallel.For(0, restarts, Analyzer.Kernels.Parallelism.Options(), r => results[r] = Run(points, norms, n, d, k, maxIterations, SeedOf(seed, r), refinement));
        return results;
    }

    /// <summary>The restart with the lowest inertia (ties: the lower index).</summary>
    public static KMeansResult Fit(double[] points, int n, int d, int k, int restarts, int maxIterations, int seed,
        KMeansRefinement refinement = KMeansRefinement.Hartigan)
    {
        var results = FitAll(points, n, d, k, restarts, maxIterations, seed, refinement);
        var best = results[0];
        foreach (var result in results.Skip(1))
            if (result.Inertia < best.Inertia) best = result;
        return best;
    }

    private static int SeedOf(int seed, int restart) => unchecked(seed * 1_000_003 + restart * 7919 + 17);

    private static KMeansResult Run(double[] x, double[] norms, int n, int d, int k, int maxIterations, int seed,
        KMeansRefinement refinement)
    {
        var rng = new Random(seed);
        double[] centers = Seed(x, norms, n, d, k, rng);
        var labels = new int[n];
        var distances = new double[n];
        var cross = new double[n * k];
        var centersT = new double[d * k];
        var counts = new int[k];
        int iteration = 0;
        double inertia = 0;
        for (; iteration < maxIterations; iteration++)
        {
            bool changed = Assign(x, norms, n, d, k, centers, centersT, cross, labels, distances, iteration == 0, out inertia);
            if (!changed && iteration > 0) break;
            Update(x, n, d, k, labels, distances, centers, counts);
        }
        if (refinement == KMeansRefinement.Hartigan)
            inertia = Hartigan(x, n, d, k, labels, centers, counts);
        return new KMeansResult(labels, inertia, iteration);
    }

    /// <summary>
    /// Single-point moves (Hartigan and Wong): moving x from cluster a to b changes the inertia by
    /// n_b/(n_b+1)·|x - c_b|² - n_a/(n_a-1)·|x - c_a|²; apply every move that lowers it until none does. Starts from
    /// a Lloyd fixed point, so it only ever improves the result.
    /// </summary>
    internal static double Hartigan(double[] x, int n, int d, int k, int[] labels, double[] centers, int[] counts)
    {
        Array.Clear(centers);
        Array.Clear(counts);
        for (int i = 0; i < n; i++)
        {
            counts[labels[i]]++;
            for (int q = 0; q < d; q++) centers[labels[i] * d + q] += x[i * d + q];
        }
        for (int c = 0; c < k; c++)
            for (int q = 0; q < d; q++) centers[c * d + q] /= Math.Max(1, counts[c]);
        for (int pass = 0; pass < 100; pass++)
        {
            bool moved = false;
            for (int i = 0; i < n; i++)
            {
                int a = labels[i];
                if (counts[a] <= 1) continue;
                double removal = counts[a] / (counts[a] - 1.0) * SquaredDistance(x, i, centers, a, d);
                int best = a;
                double bestGain = 0;
                for (int b = 0; b < k; b++)
                {
                    if (b == a) continue;
                    double gain = removal - counts[b] / (counts[b] + 1.0) * SquaredDistance(x, i, centers, b, d);
                    if (gain > bestGain + 1e-15) { bestGain = gain; best = b; }
                }
                if (best == a) continue;
                for (int q = 0; q < d; q++)
                {
                    double v = x[i * d + q];
                    centers[a * d + q] = (centers[a * d + q] * counts[a] - v) / (counts[a] - 1);
                    centers[best * d + q] = (centers[best * d + q] * counts[best] + v) / (counts[best] + 1);
                }
                counts[a]--;
                counts[best]++;
                labels[i] = best;
                moved = true;
            }
            if (!moved) break;
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += SquaredDistance(x, i, centers, labels[i], d);
        return inertia;
    }

    /// <summary>Greedy k-means++: each new centre is the best of several D²-sampled candidates.</summary>
    private static double[] Seed(double[] x, double[] norms, int n, int d, int k, Random rng)
    {
        var centers = new double[k * d];
        int trials = 2 + (int)Math.Log(k);
        int first = rng.Next(n);
        Array.Copy(x, first * d, centers, 0, d);
        var closest = new double[n];
        for (int i = 0; i < n; i++) closest[i] = SquaredDistance(x, i, x, first, d);
        double potential = closest.Sum();
        // All trials of a centre are drawn from the same distribution, then compared with every point in one pass
        // over the points (each point read once for all trials).
        var candidates = new int[trials];
        var sums = new double[trials];
        var trialDistances = new double[n * trials];
        for (int c = 1; c < k; c++)
        {
            for (int t = 0; t < trials; t++) candidates[t] = Sample(closest, potential, rng);
            Array.Clear(sums);
            for (int i = 0; i < n; i++)
            {
                var point = x.AsSpan(i * d, d);
                for (int t = 0; t < trials; t++)
                {
                    double dist = Math.Min(closest[i], Analyzer.Kernels.LinearAlgebra.SquaredDistance.Compute(point, x.AsSpan(candidates[t] * d, d)));
                    trialDistances[i * trials + t] = dist;
                    sums[t] += dist;
                }
            }
            int best = 0;
            for (int t = 1; t < trials; t++)
                if (sums[t] < sums[best]) best = t;
            for (int i = 0; i < n; i++) closest[i] = trialDistances[i * trials + best];
            Array.Copy(x, candidates[best] * d, centers, c * d, d);
            potential = sums[best];
        }
        return centers;
    }

    private static int Sample(double[] weights, double total, Random rng)
    {
        if (total <= 0) return rng.Next(weights.Length);
        double target = rng.NextDouble() * total, cumulative = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative > target) return i;
        }
        for (int i = weights.Length - 1; i >= 0; i--)
            if (weights[i] > 0) return i;
        return weights.Length - 1;
    }

    private static double SquaredDistance(double[] a, int i, double[] b, int j, int d) =>
        Analyzer.Kernels.LinearAlgebra.SquaredDistance.Compute(a.AsSpan(i * d, d), b.AsSpan(j * d, d));

    private static bool Assign(double[] x, double[] norms, int n, int d, int k, double[] centers, double[] centersT,
        double[] cross, int[] labels, double[] distances, bool first, out double inertia)
    {
        var centerNorms = new double[k];
        for (int c = 0; c < k; c++)
            for (int q = 0; q < d; q++)
            {
                double v = centers[c * d + q];
                centersT[q * k + c] = v;
                centerNorms[c] += v * v;
            }
        DenseProduct.Multiply(x, d, centersT, k, cross, k, n, d, k, maxThreads: 1);
        bool changed = first;
        inertia = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double dist = centerNorms[c] - 2 * cross[i * k + c];
                if (dist < bestDistance)
                {
                    bestDistance = dist;
                    best = c;
                }
            }
            double squared = Math.Max(0, bestDistance + norms[i]);
            distances[i] = squared;
            inertia += squared;
            if (labels[i] != best)
            {
                labels[i] = best;
                changed = true;
            }
        }
        return changed;
    }

    private static void Update(double[] x, int n, int d, int k, int[] labels, double[] distances, double[] centers, int[] counts)
    {
        Array.Clear(centers);
        Array.Clear(counts);
        for (int i = 0; i < n; i++)
        {
            int c = labels[i];
            counts[c]++;
            for (int q = 0; q < d; q++) centers[c * d + q] += x[i * d + q];
        }
        for (int c = 0; c < k; c++)
        {
            if (counts[c] == 0)
            {
                // An empty cluster takes the point farthest from its centre.
                int far = 0;
                for (int i = 1; i < n; i++)
                    if (distances[i] > distances[far]) far = i;
                distances[far] = 0;
                Array.Copy(x, far * d, centers, c * d, d);
                continue;
            }
            for (int q = 0; q < d; q++) centers[c * d + q] /= counts[c];
        }
    }
}
