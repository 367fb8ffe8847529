namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// Plain triple-loop matrix products in float64. It exists to be trusted, not to be fast: the tests compare
/// <see cref="DenseProduct"/> against it on random inputs.
/// </summary>
public static class DenseProductReference
{
    /// <summary>C[rows x cols] = A[rows x inner] B[inner x cols]; row-major with leading dimensions lda, ldb, ldc.</summary>
    public static void Multiply(ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, Span<double> c, int ldc,
        int rows, int inner, int cols)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < inner; k++) sum += a[i * lda + k] * b[k * ldb + j];
                c[i * ldc + j] = sum;
            }
    }
}
