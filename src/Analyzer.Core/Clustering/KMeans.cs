using System.Runtime.CompilerServices;
using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>The best of several k-means runs: labels per point and the within-cluster sum of squares.</summary>
public sealed record KMeansResult(int[] Labels, double Inertia, int Iterations);

/// <summary>
/// Lloyd's k-means (with Hamerly's bounds, <see cref="BoundedLloyd"/>) with greedy k-means++ seeding (2 + ln k candidates per centre, as scikit-learn), optionally refined
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
        var tiles = new PointTiles(points, n, d);
        Parallel.For(0, restarts, Analyzer.Kernels.Parallelism.Options(), r => results[r] = Run(points, tiles, n, d, k, maxIterations, SeedOf(seed, r), refinement));
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

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static KMeansResult Run(double[] x, PointTiles tiles, int n, int d, int k, int maxIterations, int seed,
        KMeansRefinement refinement)
    {
        var rng = new Random(seed);
        double[] centers = Seed(x, tiles, n, d, k, rng);
        var labels = new int[n];
        var centersT = new double[d * k];
        var counts = new int[k];
        var (inertia, iteration) = BoundedLloyd.Run(x, n, d, k, centers, centersT, labels, counts, maxIterations);
        if (refinement == KMeansRefinement.Hartigan)
            inertia = Hartigan(x, n, d, k, labels, centersT, counts);
        return new KMeansResult(labels, inertia, iteration);
    }

    /// <summary>
    /// Single-point moves (Hartigan and Wong): moving x from cluster a to b changes the inertia by
    /// n_b/(n_b+1)·|x - c_b|² - n_a/(n_a-1)·|x - c_a|²; apply every move that lowers it until none does. Starts from
    /// a Lloyd fixed point, so it only ever improves the result.
    /// </summary>
    /// <param name="centersT">[d x k], overwritten with the final centres.</param>
    /// <param name="driftLogBytes">Memory cap of the per-centre drift log (tests set it small to exercise the fallback).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Hartigan(double[] x, int n, int d, int k, int[] labels, double[] centersT, int[] counts,
        long driftLogBytes = CentreDriftLog.DefaultMaxBytes)
    {
        Array.Clear(centersT);
        Array.Clear(counts);
        for (int i = 0; i < n; i++)
        {
            counts[labels[i]]++;
            for (int q = 0; q < d; q++) centersT[q * k + labels[i]] += x[i * d + q];
        }
        for (int q = 0; q < d; q++)
            for (int c = 0; c < k; c++) centersT[q * k + c] /= Math.Max(1, counts[c]);
        // Pruning (the moves are those of comparing every point with every centre): a point with no move anywhere since
        // its last comparison is skipped, its answer cannot have changed; and a point is not measured against the other
        // centres when the triangle inequality already proves that no move can pay: |x - c_b| >= |c_a - c_b| - |x - c_a|
        // >= g_a - |x - c_a| with g_a the gap from c_a to the nearest other centre, so that with w the least weight
        // n_b/(n_b+1), w·(g_a - |x - c_a|)² >= the removal term (with a relative margin far above rounding). Otherwise
        // every centre is measured at once (SquaredDistance.ToColumns, summed over the coordinates in order, the bits of a
        // full comparison); a centre that the per-centre form of the test would have left out has a negative gain and
        // cannot be chosen, so the moves are the same. Between its comparisons a point keeps bounds, as Hamerly's k-means
        // does: its distance to its own centre (u) and to the nearest other (l) at its last comparison, and the total
        // that its own centre (δ_a) and the fastest centre (δ) have moved since (CentreDriftLog; past its memory cap, the
        // sum over the moves of the larger of the two centres' shifts serves for both). While
        // w·(l - δ)² >= n_a/(n_a-1)·(u + δ_a)² no move can pay and the point is not measured at all.
        var centers = new double[k * d];
        for (int q = 0; q < d; q++)
            for (int c = 0; c < k; c++) centers[c * d + q] = centersT[q * k + c];
        var apart = new double[k * k];
        for (int c = 0; c < k; c++) CentreGaps(centers, d, k, c, apart);
        var nearestGap = new double[k];
        NearestGaps(apart, k, nearestGap);
        var comparedAt = new int[n];
        Array.Fill(comparedAt, -1);
        var ownBound = new double[n];
        var otherBound = new double[n];
        var driftAt = new double[n];
        var measuredAt = new int[n];
        Array.Fill(ownBound, double.PositiveInfinity);
        double drift = 0;
        var centreDrift = new CentreDriftLog(k, driftLogBytes);
        var weights = new double[k];
        for (int c = 0; c < k; c++) weights[c] = counts[c] / (counts[c] + 1.0);
        double lightest = weights.Min();
        var distances = new double[k];
        int moves = 0;
        for (int pass = 0; pass < 100; pass++)
        {
            bool moved = false;
            for (int i = 0; i < n; i++)
            {
                int a = labels[i];
                if (counts[a] <= 1 || comparedAt[i] == moves) continue;
                comparedAt[i] = moves;
                double factor = counts[a] / (counts[a] - 1.0);
                if (!centreDrift.TrySince(measuredAt[i], a, out double ownSince, out double anySince))
                    ownSince = anySince = (drift - driftAt[i]) * (1 + PruningMargin) + drift * 2.3e-16 * (moves + 2);
                double near = otherBound[i] - anySince, far = ownBound[i] + ownSince;
                if (near > 0 && lightest * near * near * (1 - PruningMargin) > factor * far * far) continue;
                var point = x.AsSpan(i * d, d);
                // The vectorised distance serves the bounds only (its rounding differs by far less than the margin); the
                // gains use the comparison's own distances.
                double radius = Math.Sqrt(SquaredDistance.Compute(point, centers.AsSpan(a * d, d)));
                double gap = nearestGap[a] - radius;
                driftAt[i] = drift;
                measuredAt[i] = moves;
                ownBound[i] = radius;
                if (gap > 0 && lightest * gap * gap * (1 - PruningMargin) > factor * radius * radius)
                {
                    otherBound[i] = gap;
                    continue;
                }
                SquaredDistance.ToColumns(centersT, k, point, distances);
                double removal = factor * distances[a];
                int best = a;
                double bestGain = 0, nearest = double.PositiveInfinity;
                for (int b = 0; b < k; b++)
                {
                    if (b == a) continue;
                    nearest = Math.Min(nearest, distances[b]);
                    double gain = removal - weights[b] * distances[b];
                    if (gain > bestGain + 1e-15) { bestGain = gain; best = b; }
                }
                otherBound[i] = Math.Sqrt(nearest);
                if (best == a) continue;
                double shiftA = 0, shiftB = 0;
                for (int q = 0; q < d; q++)
                {
                    double v = point[q], oldA = centersT[q * k + a], oldB = centersT[q * k + best];
                    centersT[q * k + a] = (oldA * counts[a] - v) / (counts[a] - 1);
                    centersT[q * k + best] = (oldB * counts[best] + v) / (counts[best] + 1);
                    centers[a * d + q] = centersT[q * k + a];
                    centers[best * d + q] = centersT[q * k + best];
                    shiftA += (centersT[q * k + a] - oldA) * (centersT[q * k + a] - oldA);
                    shiftB += (centersT[q * k + best] - oldB) * (centersT[q * k + best] - oldB);
                }
                drift += Math.Sqrt(Math.Max(shiftA, shiftB)) * (1 + PruningMargin);
                centreDrift.Record(a, shiftA, best, shiftB);
                ownBound[i] = double.PositiveInfinity; // its centre changed: measure it next time
                counts[a]--;
                counts[best]++;
                weights[a] = counts[a] / (counts[a] + 1.0);
                weights[best] = counts[best] / (counts[best] + 1.0);
                lightest = weights.Min();
                labels[i] = best;
                moves++;
                CentreGaps(centers, d, k, a, apart);
                CentreGaps(centers, d, k, best, apart);
                NearestGaps(apart, k, nearestGap);
                moved = true;
            }
            if (!moved) break;
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += BoundedLloyd.OwnDistance(x, i, d, centersT, k, labels[i]);
        return inertia;
    }

    /// <summary>Relative margin of Hartigan's pruning test, far above the rounding of the distances it bounds.</summary>
    private const double PruningMargin = 1e-9;

    /// <summary>Each centre's distance to the nearest other centre.</summary>
    private static void NearestGaps(double[] apart, int k, double[] nearest)
    {
        for (int c = 0; c < k; c++)
        {
            double gap = double.PositiveInfinity;
            for (int b = 0; b < k; b++)
                if (b != c) gap = Math.Min(gap, apart[c * k + b]);
            nearest[c] = gap;
        }
    }

    /// <summary>Row and column c of the centre-to-centre distances |c_c - c_b|.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CentreGaps(double[] centers, int d, int k, int c, double[] apart)
    {
        var own = centers.AsSpan(c * d, d);
        for (int b = 0; b < k; b++)
            apart[c * k + b] = apart[b * k + c] = b == c ? 0 : Math.Sqrt(SquaredDistance.Compute(own, centers.AsSpan(b * d, d)));
    }

    /// <summary>Greedy k-means++: each new centre is the best of several D²-sampled candidates.</summary>
    /// <param name="tiles">The points as <see cref="PointTiles"/>, so that one pass gives every point's distance to several candidates.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Seed(double[] x, PointTiles tiles, int n, int d, int k, Random rng)
    {
        var centers = new double[k * d];
        int trials = 2 + (int)Math.Log(k);
        int first = rng.Next(n);
        Array.Copy(x, first * d, centers, 0, d);
        var closest = new double[n];
        tiles.SquaredDistances(x.AsSpan(first * d, d), 1, closest);
        double potential = closest.Sum();
        var candidates = new int[trials];
        var sums = new double[trials];
        var trialDistances = new double[n * trials];
        var trialPoints = new double[trials * d];
        for (int c = 1; c < k; c++)
        {
            for (int t = 0; t < trials; t++) candidates[t] = Sample(closest, potential, rng);
            for (int t = 0; t < trials; t++) Array.Copy(x, candidates[t] * d, trialPoints, t * d, d);
            tiles.SquaredDistances(trialPoints, trials, trialDistances);
            // Each trial's potential is summed over the points in order; the trials side by side, so that their
            // additions do not wait on one another (the same bits as one trial after another).
            Array.Clear(sums);
            for (int i = 0; i < n; i++)
                for (int t = 0; t < trials; t++)
                {
                    double distance = Math.Min(closest[i], trialDistances[t * n + i]);
                    trialDistances[t * n + i] = distance;
                    sums[t] += distance;
                }
            int best = 0;
            for (int t = 1; t < trials; t++)
                if (sums[t] < sums[best]) best = t;
            Array.Copy(trialDistances, best * n, closest, 0, n);
            Array.Copy(x, candidates[best] * d, centers, c * d, d);
            potential = sums[best];
        }
        return centers;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
}
