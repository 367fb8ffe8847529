using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class SingleProductTests
{
    private static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }

    [Theory]
    [InlineData(7, 5, 3)] // plain loops only
    [InlineData(256, 300, 48)] // one band, panels of 32 and 16
    [InlineData(600, 300, 48)] // three bands, the last partial: the threads split rows (too few bands for two threads)
    [InlineData(1100, 70, 16)] // five bands, one per thread
    [InlineData(130, 1100, 53)] // rows off the tile, columns off the panels
    public void Both_ways_gives_the_bits_of_the_plain_loops_at_any_thread_count(int rows, int cols, int vecs)
    {
        int ldb = cols + 3;
        var b = Random(rows * ldb, rows + 11);
        var x = Random(cols * vecs, 12);
        var w = Random(rows * vecs, 13);
        float[] y = new float[rows * vecs], z = new float[cols * vecs];
        SingleProduct.MultiplyBothWays(b, ldb, rows, cols, x, w, y, z, vecs);
        float[] plainY = new float[rows * vecs], plainZ = new float[cols * vecs];
        SingleProductReference.MultiplyBothWays(b, ldb, rows, cols, x, w, plainY, plainZ, vecs);
        Assert.Equal(plainY, y);
        Assert.Equal(plainZ, z);

        float[] oneY = new float[rows * vecs], oneZ = Enumerable.Repeat(5f, cols * vecs).ToArray();
        SingleProduct.MultiplyBothWays(b, ldb, rows, cols, x, w, oneY, oneZ, vecs, maxThreads: 1);
        Assert.Equal(y, oneY);
        Assert.Equal(z, oneZ);

        // Against float64 products of the same numbers: float32 rounding only.
        AssertNearFloat64(y, rows, vecs, cols, (i, k) => b[i * ldb + k], (k, j) => x[k * vecs + j], "Y");
        AssertNearFloat64(z, cols, vecs, rows, (c, r) => b[r * ldb + c], (r, j) => w[r * vecs + j], "Z");
    }

    private static void AssertNearFloat64(float[] product, int rows, int cols, int inner, Func<int, int, float> a, Func<int, int, float> b,
        string name)
    {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
            {
                double exact = 0, size = 0;
                for (int k = 0; k < inner; k++)
                {
                    exact += (double)a(i, k) * b(k, j);
                    size += Math.Abs((double)a(i, k) * b(k, j));
                }
                Assert.True(Math.Abs(product[i * cols + j] - exact) <= 1e-6 * size + 1e-30,
                    $"{name}[{i}, {j}] = {product[i * cols + j]}, float64 {exact}");
            }
    }
}
