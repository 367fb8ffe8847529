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

    [Theory]
    [InlineData(6, 28, 28, 3, 1, 1, 64)]   // the CNN's conv2 (pad 1) on six of conv1's channels
    [InlineData(5, 9, 7, 3, 2, 0, 10)]     // stride 2, unpadded: outputs past the 16-wide vectors
    [InlineData(2, 6, 6, 2, 1, 1, 20)]     // an even kernel padded on both sides: pixels past the six-row tiles
    public void Receptive_fields_match_their_rows_written_out_and_the_convolution(int r, int height, int width, int kernel, int stride, int pad, int outputs)
    {
        var rng = new Random(r * 31 + height + outputs);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        const int channels = 8;
        var input = Enumerable.Range(0, channels * height * width).Select(_ => Next()).ToArray();
        var units = Enumerable.Range(0, channels).OrderBy(_ => rng.Next()).Take(r).ToArray();
        int outHeight = (height + 2 * pad - kernel) / stride + 1, outWidth = (width + 2 * pad - kernel) / stride + 1, pixels = outHeight * outWidth;
        var fields = new ReceptiveFields(input, height, width, units, kernel, kernel, (pad, pad), (stride, stride), (1, 1), outHeight, outWidth);
        Assert.Equal((pixels, kernel * kernel * r), (fields.Rows, fields.Features));
        var w = Enumerable.Range(0, fields.Features * outputs).Select(_ => Next()).ToArray();
        var y0 = Enumerable.Range(0, pixels * outputs).Select(_ => Next()).ToArray();
        var rows = new float[pixels * fields.Features];
        fields.Fill(rows);
        var expected = new float[pixels * outputs];
        var actual = new float[pixels * outputs];
        RankUpdate.Subtract(y0, rows, fields.Features, Enumerable.Range(0, fields.Features).ToArray(), w, expected, pixels, outputs);
        RankUpdate.SubtractFields(y0, fields, w, actual, outputs);
        Assert.Equal(expected, actual);

        // y0 minus the convolution of the chosen channels (cross-correlation over the zero-padded input, in double), the
        // kernel's tap (ky, kx) on channel units[q] being W's row (ky·kernel + kx)·r + q.
        for (int oy = 0; oy < outHeight; oy++)
            for (int ox = 0; ox < outWidth; ox++)
                for (int o = 0; o < outputs; o++)
                {
                    double sum = y0[(oy * outWidth + ox) * outputs + o];
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            int iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
                            if (iy < 0 || ix < 0 || iy >= height || ix >= width) continue;
                            for (int q = 0; q < r; q++)
                                sum -= input[(units[q] * height + iy) * width + ix] * (double)w[((ky * kernel + kx) * r + q) * outputs + o];
                        }
                    Assert.Equal(sum, actual[(oy * outWidth + ox) * outputs + o], 1e-4);
                }
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
