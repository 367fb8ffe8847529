using System.Numerics;
using System.Runtime.InteropServices;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// |a - b|² of two float64 vectors with SIMD lanes: the inner loop of k-means seeding and of Hartigan's moves, which
/// compare every point with every centre many times over.
/// </summary>
public static class SquaredDistance
{
    public static double Compute(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"lengths {a.Length} and {b.Length} differ", nameof(b));
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var acc = Vector<double>.Zero;
        for (int i = 0; i < va.Length; i++)
        {
            var diff = va[i] - vb[i];
            acc += diff * diff;
        }
        double sum = Vector.Sum(acc);
        for (int i = va.Length * Vector<double>.Count; i < a.Length; i++)
        {
            double diff = a[i] - b[i];
            sum += diff * diff;
        }
        return sum;
    }
}
