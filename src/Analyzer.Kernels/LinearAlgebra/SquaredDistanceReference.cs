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
}
