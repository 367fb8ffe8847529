using Analyzer.Core.Clustering;

namespace Analyzer.Core.Tests.Clustering;

public class KMeansTests
{
    [Fact]
    public void Separated_blobs_are_found_with_their_exact_inertia()
    {
        // Points at (10c, 0) +- 1 on the second axis: the optimal inertia is one per point.
        int k = 4, per = 10;
        var points = new List<double>();
        for (int c = 0; c < k; c++)
            for (int i = 0; i < per; i++)
                points.AddRange([10.0 * c, i % 2 == 0 ? 1 : -1]);
        var result = KMeans.Fit(points.ToArray(), k * per, 2, k, restarts: 5, maxIterations: 100, seed: 0);
        Assert.Equal(k * per, result.Inertia, 9);
        for (int c = 0; c < k; c++)
            Assert.Single(result.Labels.Skip(c * per).Take(per).Distinct());
        Assert.Equal(k, result.Labels.Distinct().Count());
    }
}

public class HartiganRefinementTests
{
    [Fact]
    public void Moves_a_point_that_Lloyd_leaves_on_a_tie()
    {
        // 1-D points 0, 2, 3 as {0, 2} {3}: centres 1 and 3, point 2 is equidistant, so Lloyd stops (SSE 2).
        // Moving 2 to the second cluster lowers the SSE by 2/1·1 - 1/2·1 = 1.5, to 0.5.
        double[] x = [0, 2, 3];
        int[] labels = [0, 0, 1];
        double inertia = KMeans.Hartigan(x, 3, 1, 2, labels, new double[2], new int[2]);
        Assert.Equal([0, 1, 1], labels);
        Assert.Equal(0.5, inertia, 12);
    }

    [Fact]
    public void Never_raises_the_inertia_of_a_labelling()
    {
        var rng = new Random(3);
        int n = 200, d = 3, k = 5;
        var x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble()).ToArray();
        for (int trial = 0; trial < 20; trial++)
        {
            var labels = Enumerable.Range(0, n).Select(i => i < k ? i : rng.Next(k)).ToArray();
            double before = Inertia(x, d, k, labels);
            double after = KMeans.Hartigan(x, n, d, k, labels, new double[k * d], new int[k]);
            Assert.True(after <= before + 1e-12, $"{after} > {before}");
            Assert.Equal(Inertia(x, d, k, labels), after, 9);
        }
    }

    [Theory]
    [InlineData(400, 4, 6, 1)]
    [InlineData(600, 32, 32, 2)]
    [InlineData(300, 8, 40, 3)]
    public void Skipping_comparisons_gives_the_moves_of_comparing_everything(int n, int d, int k, int seed)
    {
        // Overlapping blobs, started from a Lloyd fixed point (as the method does) and from random labels (many moves,
        // so that the skipped comparisons are tested while centres move a lot).
        var rng = new Random(seed);
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < d; q++) x[i * d + q] = (i % 7) * 0.6 * ((q + i) % 3) + rng.NextDouble();
        var lloyd = new int[n];
        BoundedLloyd.Run(x, n, d, k, Enumerable.Range(0, k * d).Select(_ => rng.NextDouble() * 3).ToArray(), new double[d * k], lloyd, new int[k], 300);
        var random = Enumerable.Range(0, n).Select(i => i < k ? i : rng.Next(k)).ToArray();
        foreach (var start in new[] { lloyd, random })
        {
            int[] expected = (int[])start.Clone(), actual = (int[])start.Clone();
            double[] expectedCentres = new double[d * k], actualCentres = new double[d * k];
            double expectedInertia = HartiganReference.Hartigan(x, n, d, k, expected, expectedCentres, new int[k]);
            double inertia = KMeans.Hartigan(x, n, d, k, actual, actualCentres, new int[k]);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedCentres, actualCentres);
            Assert.Equal(expectedInertia, inertia);
            // With room for only a few moves in the drift log, the bounds fall back to the total drift.
            int[] capped = (int[])start.Clone();
            double[] cappedCentres = new double[d * k];
            Assert.Equal(expectedInertia, KMeans.Hartigan(x, n, d, k, capped, cappedCentres, new int[k], driftLogBytes: 8L * k * 3));
            Assert.Equal(expected, capped);
        }
    }

    [Fact]
    public void The_drift_log_bounds_each_centres_movement_since_any_earlier_move()
    {
        const int k = 5;
        var rng = new Random(4);
        var log = new CentreDriftLog(k, maxBytes: 8L * k * 40);
        var shifts = new List<(int A, double ShiftA, int B, double ShiftB)>();
        for (int m = 0; m < 60; m++)
        {
            int a = rng.Next(k), b = (a + 1 + rng.Next(k - 1)) % k;
            double shiftA = rng.NextDouble() * 1e3, shiftB = rng.NextDouble() * 1e-6;
            log.Record(a, shiftA * shiftA, b, shiftB * shiftB);
            shifts.Add((a, shiftA, b, shiftB));
        }
        Assert.Equal(60, log.Moves);
        for (int since = 0; since <= 60; since++)
        {
            var moved = new double[k];
            foreach (var (a, shiftA, b, shiftB) in shifts.Skip(since))
            {
                moved[a] += shiftA;
                moved[b] += shiftB;
            }
            bool logged = log.TrySince(since, 2, out double own, out double any);
            Assert.Equal(since < 40, logged); // rows 0..39 fit the cap
            if (!logged) continue;
            Assert.InRange(own, moved[2], moved[2] * (1 + 1e-8) + 1e-9);
            Assert.InRange(any, moved.Max(), moved.Max() * (1 + 1e-8) + 1e-9);
        }
    }

    private static double Inertia(double[] x, int d, int k, int[] labels)
    {
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray();
            for (int q = 0; q < d; q++)
            {
                double mean = members.Average(i => x[i * d + q]);
                total += members.Sum(i => Math.Pow(x[i * d + q] - mean, 2));
            }
        }
        return total;
    }
}

public class BoundedLloydTests
{
    [Theory]
    [InlineData(500, 4, 7, 1)]
    [InlineData(300, 32, 32, 2)]
    [InlineData(64, 2, 16, 3)]
    public void Gives_the_labels_and_inertia_of_plain_Lloyd_iterations(int n, int d, int k, int seed)
    {
        // Blobs with overlap, so that points change clusters for several iterations, and k close to n in one case
        // so that clusters empty and are reseeded.
        var rng = new Random(seed);
        var x = new double[n * d];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < d; q++) x[i * d + q] = (i % 5) * 0.7 + rng.NextDouble();
        var start = Enumerable.Range(0, k * d).Select(_ => rng.NextDouble() * 3).ToArray();

        var (expectedLabels, expectedInertia, expectedIterations) = PlainLloyd(x, n, d, k, (double[])start.Clone(), 300);
        var labels = new int[n];
        var (inertia, iterations) = BoundedLloyd.Run(x, n, d, k, (double[])start.Clone(), new double[d * k], labels, new int[k], 300);
        Assert.Equal(expectedLabels, labels);
        Assert.Equal(expectedIterations, iterations);
        Assert.Equal(expectedInertia, inertia, 1e-9 * expectedInertia);
    }

    /// <summary>Every point against every centre, every iteration; ties to the lower index; an empty cluster takes the
    /// point farthest from its centre.</summary>
    private static (int[] Labels, double Inertia, int Iterations) PlainLloyd(double[] x, int n, int d, int k, double[] centres, int maxIterations)
    {
        var labels = new int[n];
        var distances = new double[n];
        double inertia = 0;
        int iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            bool changed = iteration == 0;
            inertia = 0;
            for (int i = 0; i < n; i++)
            {
                int best = 0;
                double bestDistance = double.PositiveInfinity;
                for (int c = 0; c < k; c++)
                {
                    double sum = 0;
                    for (int q = 0; q < d; q++)
                        sum = Math.FusedMultiplyAdd(centres[c * d + q] - x[i * d + q], centres[c * d + q] - x[i * d + q], sum);
                    if (sum < bestDistance) { bestDistance = sum; best = c; }
                }
                distances[i] = bestDistance;
                inertia += bestDistance;
                changed |= labels[i] != best;
                labels[i] = best;
            }
            if (!changed && iteration > 0) break;
            var counts = new int[k];
            Array.Clear(centres);
            for (int i = 0; i < n; i++)
            {
                counts[labels[i]]++;
                for (int q = 0; q < d; q++) centres[labels[i] * d + q] += x[i * d + q];
            }
            for (int c = 0; c < k; c++)
            {
                if (counts[c] == 0)
                {
                    int far = Array.IndexOf(distances, distances.Max());
                    distances[far] = 0;
                    Array.Copy(x, far * d, centres, c * d, d);
                    continue;
                }
                for (int q = 0; q < d; q++) centres[c * d + q] /= counts[c];
            }
        }
        return (labels, inertia, iteration);
    }
}
