using System.Numerics;
using System.Runtime.CompilerServices;
using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Lloyd's iterations with Hamerly's bounds (Hamerly 2010): each point keeps an upper bound on the distance to its own
/// centre and a lower bound on the distance to any other, both moved by how far the centres moved; a point whose
/// bounds (or half the distance from its centre to the nearest other centre) prove it stays is not compared with
/// every centre again. The bounds are tested with a relative margin far above rounding, so the labels are those of
/// plain Lloyd's iterations (every point compared with every centre, ties to the lower index); late iterations, where
/// few points change, cost a fraction of a full pass.
/// </summary>
internal static class BoundedLloyd
{
    private const double Margin = 1e-9;

    /// <param name="centers">[k x d] initial centres; overwritten by the update after the last assignment.</param>
    /// <param name="centersT">[d x k], receives the centres of the last assignment.</param>
    /// <returns>The inertia of the last assignment and the number of iterations.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Inertia, int Iterations) Run(double[] x, int n, int d, int k, double[] centers, double[] centersT,
        int[] labels, int[] counts, int maxIterations)
    {
        var upper = new double[n];
        var lower = new double[n];
        var toCentres = new double[k];
        var shift = new double[k];
        var half = new double[k];
        var dirty = new bool[k];
        Array.Fill(dirty, true);
        int iteration = 0;
        for (; iteration < maxIterations; iteration++)
        {
            for (int c = 0; c < k; c++)
            {
                double moved = 0;
                for (int q = 0; q < d; q++)
                {
                    double diff = centers[c * d + q] - centersT[q * k + c];
                    moved += diff * diff;
                    centersT[q * k + c] = centers[c * d + q];
                }
                shift[c] = Math.Sqrt(moved);
            }
            bool changed = iteration == 0;
            if (iteration == 0)
                for (int i = 0; i < n; i++) Compare(x, i, d, k, centersT, toCentres, labels, upper, lower, dirty);
            else
            {
                int fastest = 0;
                for (int c = 1; c < k; c++)
                    if (shift[c] > shift[fastest]) fastest = c;
                double secondFastest = 0;
                for (int c = 0; c < k; c++)
                    if (c != fastest) secondFastest = Math.Max(secondFastest, shift[c]);
                HalfGaps(d, k, centersT, toCentres, half);
                for (int i = 0; i < n; i++)
                {
                    int a = labels[i];
                    upper[i] += shift[a];
                    lower[i] -= a == fastest ? secondFastest : shift[fastest];
                    double bound = Math.Max(half[a], lower[i]) * (1 - Margin);
                    if (upper[i] < bound) continue;
                    // Only a bound: the vectorised sum's rounding differs from the comparison's by far less than the margin.
                    upper[i] = Math.Sqrt(SquaredDistance.Compute(x.AsSpan(i * d, d), centers.AsSpan(a * d, d)));
                    if (upper[i] < bound) continue;
                    changed |= Compare(x, i, d, k, centersT, toCentres, labels, upper, lower, dirty);
                }
            }
            if (!changed && iteration > 0) break;
            Update(x, n, d, k, labels, centers, centersT, counts, dirty);
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += OwnDistance(x, i, d, centersT, k, labels[i]);
        return (inertia, iteration);
    }

    /// <summary>|x_i - centre c|², summed over the coordinates in order (the rounding of <see cref="SquaredDistance.ToColumns"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double OwnDistance(double[] x, int i, int d, double[] centersT, int k, int c)
    {
        double sum = 0;
        for (int q = 0; q < d; q++)
        {
            double diff = centersT[q * k + c] - x[i * d + q];
            sum = Math.FusedMultiplyAdd(diff, diff, sum);
        }
        return sum;
    }

    /// <summary>
    /// Compares point i with every centre: its label (ties to the lower index) and fresh bounds; true when the label
    /// changed, and then both clusters are marked as changed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Compare(double[] x, int i, int d, int k, double[] centersT, double[] toCentres, int[] labels,
        double[] upper, double[] lower, bool[] dirty)
    {
        SquaredDistance.ToColumns(centersT, k, x.AsSpan(i * d, d), toCentres);
        // One pass: the nearest (ties to the lower index) and the least of the others.
        int best = 0;
        double nearest = toCentres[0], second = double.PositiveInfinity;
        for (int c = 1; c < k; c++)
        {
            double distance = toCentres[c];
            if (distance < nearest) { second = nearest; nearest = distance; best = c; }
            else second = Math.Min(second, distance);
        }
        upper[i] = Math.Sqrt(nearest);
        lower[i] = Math.Sqrt(second);
        int old = labels[i];
        if (old == best) return false;
        dirty[old] = dirty[best] = true;
        labels[i] = best;
        return true;
    }

    /// <summary>half[c] = half the distance from centre c to the nearest other centre.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfGaps(int d, int k, double[] centersT, double[] scratch, double[] half)
    {
        var centre = new double[d];
        for (int c = 0; c < k; c++)
        {
            for (int q = 0; q < d; q++) centre[q] = centersT[q * k + c];
            SquaredDistance.ToColumns(centersT, k, centre, scratch);
            double nearest = double.PositiveInfinity;
            for (int o = 0; o < k; o++)
                if (o != c) nearest = Math.Min(nearest, scratch[o]);
            half[c] = 0.5 * Math.Sqrt(nearest);
        }
    }

    /// <summary>
    /// Centres as the means of their points; an empty cluster takes the point farthest from its centre. Only clusters
    /// whose members changed (and empty ones) are summed again: the others' sums would repeat the same additions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Update(double[] x, int n, int d, int k, int[] labels, double[] centers, double[] centersT, int[] counts,
        bool[] dirty)
    {
        for (int c = 0; c < k; c++)
        {
            if (counts[c] == 0) dirty[c] = true;
            if (!dirty[c]) continue;
            Array.Clear(centers, c * d, d);
            counts[c] = 0;
        }
        // Each coordinate's sum runs over the points in order, lane by lane: the bits of the scalar loop.
        int width = Vector<double>.Count, vectorEnd = d - d % width;
        for (int i = 0; i < n; i++)
        {
            int c = labels[i];
            if (!dirty[c]) continue;
            counts[c]++;
            var sum = centers.AsSpan(c * d, d);
            var point = x.AsSpan(i * d, d);
            int q = 0;
            for (; q < vectorEnd; q += width)
                (Vector.Create<double>(sum.Slice(q, width)) + Vector.Create<double>(point.Slice(q, width))).CopyTo(sum.Slice(q, width));
            for (; q < d; q++) sum[q] += point[q];
        }
        double[]? distances = null;
        for (int c = 0; c < k; c++)
        {
            if (!dirty[c]) continue;
            dirty[c] = false;
            if (counts[c] == 0)
            {
                if (distances is null)
                {
                    distances = new double[n];
                    for (int i = 0; i < n; i++) distances[i] = OwnDistance(x, i, d, centersT, k, labels[i]);
                }
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
