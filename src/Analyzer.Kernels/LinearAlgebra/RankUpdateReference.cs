namespace Analyzer.Kernels.LinearAlgebra;

/// <summary><see cref="RankUpdate"/> as plain loops, one entry at a time, to check it against (and where AVX-512 is
/// missing).</summary>
public static class RankUpdateReference
{
    public static void Subtract(ReadOnlySpan<float> y0, ReadOnlySpan<float> x, int features, ReadOnlySpan<int> removed,
        ReadOnlySpan<float> weights, Span<float> into, int rows, int outputs)
    {
        for (int e = 0; e < rows; e++)
            for (int j = 0; j < outputs; j++)
            {
                float acc = y0[e * outputs + j];
                foreach (int f in removed) acc = MathF.FusedMultiplyAdd(-x[e * features + f], weights[f * outputs + j], acc);
                into[e * outputs + j] = acc;
            }
    }
}
