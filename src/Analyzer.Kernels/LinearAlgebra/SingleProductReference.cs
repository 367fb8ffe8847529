namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// <see cref="SingleProduct.MultiplyBothWays"/> as plain loops with the same fused multiply-adds in the same order, so
/// the tests can ask for the same bits.
/// </summary>
public static class SingleProductReference
{
    public static void MultiplyBothWays(float[] b, int ldb, int rows, int cols, float[] x, float[] w, float[] y, float[] z, int vecs)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < vecs; j++)
            {
                float sum = 0;
                for (int k = 0; k < cols; k++) sum = MathF.FusedMultiplyAdd(b[i * ldb + k], x[k * vecs + j], sum);
                y[i * vecs + j] = sum;
            }
        int band = DenseProduct.TransposeBand;
        for (int c = 0; c < cols; c++)
            for (int j = 0; j < vecs; j++)
            {
                float total = 0;
                for (int start = 0; start < rows; start += band)
                {
                    float sum = 0;
                    for (int r = start; r < Math.Min(rows, start + band); r++) sum = MathF.FusedMultiplyAdd(b[r * ldb + c], w[r * vecs + j], sum);
                    total = start == 0 ? sum : total + sum;
                }
                z[c * vecs + j] = total;
            }
    }
}
