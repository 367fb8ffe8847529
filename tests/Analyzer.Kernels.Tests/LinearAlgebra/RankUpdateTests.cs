using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class RankUpdateTests
{
    [Theory]
    [InlineData(1000, 256, 256, 34)]  // the MLP's hidden layers
    [InlineData(13, 300, 100, 7)]     // rows past the tiles, outputs past the 64- and 16-wide ones
    [InlineData(3, 5, 10, 0)]         // nothing removed: the intact outputs
    [InlineData(9, 784, 1, 300)]      // one output, more removed features than the stack holds
    public void Matches_the_plain_loops_bit_for_bit(int rows, int features, int outputs, int r)
    {
        var rng = new Random(rows + features + r);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        var y0 = Enumerable.Range(0, rows * outputs).Select(_ => Next()).ToArray();
        var x = Enumerable.Range(0, rows * features).Select(_ => Next()).ToArray();
        var w = Enumerable.Range(0, features * outputs).Select(_ => Next()).ToArray();
        var removed = Enumerable.Range(0, features).OrderBy(_ => rng.Next()).Take(r).ToArray();
        var expected = new float[rows * outputs];
        var actual = new float[rows * outputs];
        RankUpdateReference.Subtract(y0, x, features, removed, w, expected, rows, outputs);
        RankUpdate.Subtract(y0, x, features, removed, w, actual, rows, outputs);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_hand_computed_layer()
    {
        // y = x·W over features {0, 1, 2}; removing feature 1 subtracts x[1]·W[1, :].
        float[] x = [1, 2, 3];
        float[] w = [1, 0, 0.5f, 2, 1, 1];           // W [3 x 2]
        float[] y0 = [1 * 1 + 2 * 0.5f + 3 * 1, 1 * 0 + 2 * 2 + 3 * 1];
        var y = new float[2];
        RankUpdate.Subtract(y0, x, 3, [1], w, y, 1, 2);
        Assert.Equal([1 + 3, 0 + 3], y);
    }

    [Fact]
    public void A_feature_outside_the_layer_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RankUpdate.Subtract(new float[2], new float[3], 3, [3], new float[6], new float[2], 1, 2));
}
