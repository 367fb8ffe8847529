namespace Analyzer.Kernels.LinearAlgebra;

/// <summary><see cref="SparseInputLayer"/> as plain loops, one entry at a time, to check it against (and where AVX-512
/// is missing).</summary>
public static class SparseInputLayerReference
{
    public static void Apply(ReadOnlySpan<float> x, int rows, int features, ReadOnlySpan<float> weights, ReadOnlySpan<float> bias,
        int outputs, bool rectified, Span<float> into)
    {
        for (int e = 0; e < rows; e++)
            for (int j = 0; j < outputs; j++)
            {
                float acc = bias[j];
                for (int f = 0; f < features; f++)
                {
                    float v = x[e * features + f];
                    if (rectified ? v > 0 : v != 0) acc = MathF.FusedMultiplyAdd(v, weights[f * outputs + j], acc);
                }
                into[e * outputs + j] = acc;
            }
    }
}
