using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// |a - b|² of two float64 vectors with SIMD lanes: the inner loop of k-means seeding and of Hartigan's moves, which
/// compare every point with every centre many times over.
/// </summary>
public static class SquaredDistance
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// result[j] = |v - column j|² for the m columns of a [d x m] row-major matrix, vectorised across columns, so that
    /// each sum runs over the d coordinates in order. One call gives
    /// a point's distance to every centre, or every point's distance to one candidate centre. Each coordinate is one fused
    /// multiply-add (one rounding), so a scalar loop of <see cref="Math.FusedMultiplyAdd"/> gives the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToColumns(ReadOnlySpan<double> columns, int m, ReadOnlySpan<double> v, Span<double> result)
    {
        int d = v.Length;
        if (columns.Length != (long)d * m) throw new ArgumentException($"{columns.Length} values for {d} x {m} columns", nameof(columns));
        if (result.Length < m) throw new ArgumentException($"result holds {result.Length} values for {m} columns", nameof(result));
        int width = Vector<double>.Count, vectorEnd = m - m % width;
        ref double origin = ref MemoryMarshal.GetReference(columns);
        ref double output = ref MemoryMarshal.GetReference(result);
        int j = 0;
        // Eight vectors of columns at a time (32 centres in one pass where the vectors are 4 wide): eight independent
        // fused multiply-add chains keep both FMA pipes busy, where four wait on the instruction's latency.
        for (; j + 8 * width <= m; j += 8 * width)
        {
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int q = 0; q < d; q++)
            {
                var point = new Vector<double>(v[q]);
                ref double row = ref Unsafe.Add(ref origin, (nint)((long)q * m + j));
                var d0 = Vector.LoadUnsafe(ref row) - point;
                var d1 = Vector.LoadUnsafe(ref row, (nuint)width) - point;
                var d2 = Vector.LoadUnsafe(ref row, (nuint)(2 * width)) - point;
                var d3 = Vector.LoadUnsafe(ref row, (nuint)(3 * width)) - point;
                var d4 = Vector.LoadUnsafe(ref row, (nuint)(4 * width)) - point;
                var d5 = Vector.LoadUnsafe(ref row, (nuint)(5 * width)) - point;
                var d6 = Vector.LoadUnsafe(ref row, (nuint)(6 * width)) - point;
                var d7 = Vector.LoadUnsafe(ref row, (nuint)(7 * width)) - point;
                a0 = Vector.FusedMultiplyAdd(d0, d0, a0);
                a1 = Vector.FusedMultiplyAdd(d1, d1, a1);
                a2 = Vector.FusedMultiplyAdd(d2, d2, a2);
                a3 = Vector.FusedMultiplyAdd(d3, d3, a3);
                a4 = Vector.FusedMultiplyAdd(d4, d4, a4);
                a5 = Vector.FusedMultiplyAdd(d5, d5, a5);
                a6 = Vector.FusedMultiplyAdd(d6, d6, a6);
                a7 = Vector.FusedMultiplyAdd(d7, d7, a7);
            }
            ref double store = ref Unsafe.Add(ref output, j);
            a0.StoreUnsafe(ref store);
            a1.StoreUnsafe(ref store, (nuint)width);
            a2.StoreUnsafe(ref store, (nuint)(2 * width));
            a3.StoreUnsafe(ref store, (nuint)(3 * width));
            a4.StoreUnsafe(ref store, (nuint)(4 * width));
            a5.StoreUnsafe(ref store, (nuint)(5 * width));
            a6.StoreUnsafe(ref store, (nuint)(6 * width));
            a7.StoreUnsafe(ref store, (nuint)(7 * width));
        }
        // Four vectors of columns at a time keep four accumulators in registers while v[q] is broadcast once.
        for (; j + 4 * width <= m; j += 4 * width)
        {
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (int q = 0; q < d; q++)
            {
                var point = new Vector<double>(v[q]);
                nuint row = (nuint)((long)q * m + j);
                var d0 = Vector.LoadUnsafe(ref origin, row) - point;
                var d1 = Vector.LoadUnsafe(ref origin, row + (nuint)width) - point;
                var d2 = Vector.LoadUnsafe(ref origin, row + (nuint)(2 * width)) - point;
                var d3 = Vector.LoadUnsafe(ref origin, row + (nuint)(3 * width)) - point;
                a0 = Vector.FusedMultiplyAdd(d0, d0, a0);
                a1 = Vector.FusedMultiplyAdd(d1, d1, a1);
                a2 = Vector.FusedMultiplyAdd(d2, d2, a2);
                a3 = Vector.FusedMultiplyAdd(d3, d3, a3);
            }
            a0.StoreUnsafe(ref output, (nuint)j);
            a1.StoreUnsafe(ref output, (nuint)(j + width));
            a2.StoreUnsafe(ref output, (nuint)(j + 2 * width));
            a3.StoreUnsafe(ref output, (nuint)(j + 3 * width));
        }
        for (; j < vectorEnd; j += width)
        {
            var acc = Vector<double>.Zero;
            for (int q = 0; q < d; q++)
            {
                var diff = Vector.LoadUnsafe(ref origin, (nuint)((long)q * m + j)) - new Vector<double>(v[q]);
                acc = Vector.FusedMultiplyAdd(diff, diff, acc);
            }
            acc.StoreUnsafe(ref output, (nuint)j);
        }
        ToColumnsTail(columns, m, v, result, j);
    }
    /// <summary>Columns [from, m) one at a time, with the fused multiply-adds of the vector paths.</summary>
    private static void ToColumnsTail(ReadOnlySpan<double> columns, int m, ReadOnlySpan<double> v, Span<double> result, int from)
    {
        for (int j = from; j < m; j++)
        {
            double sum = 0;
            for (int q = 0; q < v.Length; q++)
            {
                double diff = columns[q * m + j] - v[q];
                sum = Math.FusedMultiplyAdd(diff, diff, sum);
            }
            result[j] = sum;
        }
    }
}
