namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>|a - b|² one element at a time, to check <see cref="SquaredDistance"/> against.</summary>
public static class SquaredDistanceReference
{
    public static double Compute(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum;
    }

    /// <summary>result[j] = |v - column j|², one column and one coordinate (one fused multiply-add) at a time.</summary>
    public static void ToColumns(double[] columns, int m, double[] v, double[] result)
    {
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            for (int q = 0; q < v.Length; q++) sum = Math.FusedMultiplyAdd(columns[q * m + j] - v[q], columns[q * m + j] - v[q], sum);
            result[j] = sum;
        }
    }
}
