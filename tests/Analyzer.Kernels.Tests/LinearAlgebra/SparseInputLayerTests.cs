using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class SparseInputLayerTests
{
    private static float[] Random(Random rng, int count, double zeros) =>
        Enumerable.Range(0, count).Select(_ => rng.NextDouble() < zeros ? 0f : (float)(rng.NextDouble() * 2 - 1)).ToArray();

    [Theory]
    [InlineData(60, 10, 256, 256, true, 0.5)]  // the MLP's hidden layers after a ReLU: 6 lesions x 10 examples
    [InlineData(50, 50, 256, 10, true, 0.0)]   // its class scores (one padded vector), no two rows alike
    [InlineData(35, 7, 37, 130, false, 0.7)]   // features past the 16-wide scan, outputs past the 64-wide panels
    [InlineData(3, 1, 5, 1, false, 1.0)]       // all inputs zero: the bias
    [InlineData(8, 2, 300, 40, true, 0.0)]
    public void Matches_the_plain_loops_bit_for_bit(int rows, int stride, int features, int outputs, bool rectified, double zeros)
    {
        var rng = new Random(rows + features + outputs);
        // Blocks of `stride` rows: row e of each block is row e of the first with a few features changed (a lesion).
        var x = Random(rng, stride * features, zeros);
        x = Enumerable.Range(0, rows / stride).SelectMany(_ => x.Select(v => rng.NextDouble() < 0.1 ? (float)(rng.NextDouble() * 2 - 1) : v)).ToArray();
        var w = Random(rng, features * outputs, 0);
        var b = Random(rng, outputs, 0);
        var expected = new float[rows * outputs];
        var actual = new float[rows * outputs];
        SparseInputLayerReference.Apply(x, rows, features, w, b, outputs, rectified, expected);
        new SparseInputLayer(w, b, features, outputs).Apply(x, rows, rectified, actual, stride);
        Assert.Equal(expected, actual);

        // Both are the dense product b + φ(x)·W (in double, an independent sum) up to float rounding.
        for (int e = 0; e < rows; e++)
            for (int j = 0; j < outputs; j++)
            {
                double sum = b[j];
                for (int f = 0; f < features; f++)
                    sum += (rectified ? Math.Max(x[e * features + f], 0) : x[e * features + f]) * (double)w[f * outputs + j];
                Assert.Equal(sum, actual[e * outputs + j], 1e-4);
            }
    }

    [Fact]
    public void A_hand_computed_layer()
    {
        // W [3 x 2], b = (1, -1); with the ReLU, x = (2, -3, 0.5) reads as (2, 0, 0.5).
        float[] w = [1, 0, 4, 5, 2, -2];
        float[] x = [2, -3, 0.5f];
        var y = new float[2];
        var layer = new SparseInputLayer(w, [1, -1], 3, 2);
        layer.Apply(x, 1, rectified: true, y, 1);
        Assert.Equal([1 + 2 * 1 + 0.5f * 2, -1 + 2 * 0 + 0.5f * -2], y);
        layer.Apply(x, 1, rectified: false, y, 1);
        Assert.Equal([1 + 2 - 12 + 1, -1 + 0 - 15 - 1], y);
    }

    [Fact]
    public void A_matrix_of_the_wrong_size_or_not_finite_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SparseInputLayer(new float[5], new float[2], 3, 2));
        Assert.Throws<ArgumentException>(() => new SparseInputLayer([1, float.PositiveInfinity], new float[1], 2, 1));
    }
}
