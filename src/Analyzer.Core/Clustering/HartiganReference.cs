using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Hartigan's single-point moves in their plain form, every point compared with every centre on every pass: the reference
/// that <see cref="KMeans.Hartigan"/>, which skips comparisons that cannot lead to a move, must match bit for bit.
/// </summary>
internal static class HartiganReference
{
    public static double Hartigan(double[] x, int n, int d, int k, int[] labels, double[] centersT, int[] counts)
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
        var distances = new double[k];
        for (int pass = 0; pass < 100; pass++)
        {
            bool moved = false;
            for (int i = 0; i < n; i++)
            {
                int a = labels[i];
                if (counts[a] <= 1) continue;
                var point = x.AsSpan(i * d, d);
                SquaredDistance.ToColumns(centersT, k, point, distances);
                double removal = counts[a] / (counts[a] - 1.0) * distances[a];
                int best = a;
                double bestGain = 0;
                for (int b = 0; b < k; b++)
                {
                    if (b == a) continue;
                    double gain = removal - counts[b] / (counts[b] + 1.0) * distances[b];
                    if (gain > bestGain + 1e-15) { bestGain = gain; best = b; }
                }
                if (best == a) continue;
                for (int q = 0; q < d; q++)
                {
                    double v = point[q];
                    centersT[q * k + a] = (centersT[q * k + a] * counts[a] - v) / (counts[a] - 1);
                    centersT[q * k + best] = (centersT[q * k + best] * counts[best] + v) / (counts[best] + 1);
                }
                counts[a]--;
                counts[best]++;
                labels[i] = best;
                moved = true;
            }
            if (!moved) break;
        }
        double inertia = 0;
        for (int i = 0; i < n; i++) inertia += BoundedLloyd.OwnDistance(x, i, d, centersT, k, labels[i]);
        return inertia;
    }
}
