using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class SparseConvLayerTests
{
    private static float[] Random(Random rng, int count, double zeros) =>
        Enumerable.Range(0, count).Select(_ => rng.NextDouble() < zeros ? 0f : (float)(rng.NextDouble() * 2 - 1)).ToArray();

    [Theory]
    [InlineData(8, 2, 14, 14, 64, 64, 3, 1, 1, true, 0.75)]   // the CNN's conv3 after ReLU and max-pool: 4 lesions x 2 examples
    [InlineData(5, 5, 6, 7, 37, 130, 3, 1, 1, false, 0.6)]   // channels past the 16-wide scan, outputs past the 64-wide panels
    [InlineData(6, 3, 5, 9, 16, 10, 5, 2, 0, true, 0.3)]     // a 5 x 5 kernel, padded on one side only, class-sized outputs
    [InlineData(4, 4, 4, 4, 3, 20, 3, 0, 0, false, 0.0)]     // unpadded, dense, no two maps alike
    [InlineData(4, 1, 3, 3, 8, 8, 3, 1, 1, false, 1.0)]      // all inputs zero: the bias
    public void Matches_the_plain_loops_bit_for_bit_and_the_convolution(int maps, int stride, int height, int width, int channels, int outputs,
        int size, int padBefore, int padAfter, bool rectified, double zeros)
    {
        var rng = new Random(maps * 7 + channels + outputs);
        // Blocks of `stride` maps: map e of each block is map e of the first with a few values changed (a lesion).
        int mapSize = height * width * channels;
        var x = Random(rng, stride * mapSize, zeros);
        x = Enumerable.Range(0, maps / stride).SelectMany(_ => x.Select(v => rng.NextDouble() < 0.1 ? (float)(rng.NextDouble() * 2 - 1) : v)).ToArray();
        var k = Random(rng, outputs * channels * size * size, 0);
        var b = Random(rng, outputs, 0);
        var layer = new SparseConvLayer(k, b, channels, outputs, size, size, height, width, (padBefore, padBefore, padAfter, padAfter));
        int outHeight = height + padBefore + padAfter - size + 1, outWidth = width + padBefore + padAfter - size + 1;
        Assert.Equal((outHeight, outWidth), (layer.OutHeight, layer.OutWidth));
        var expected = new float[maps * layer.OutputSize];
        var actual = new float[maps * layer.OutputSize];
        SparseConvLayerReference.Apply(x, maps, height, width, channels, k, b, outputs, size, size, (padBefore, padBefore), outHeight, outWidth,
            rectified, expected);
        layer.Apply(x, maps, rectified, actual, stride);
        Assert.Equal(expected, actual);

        // Both are the convolution as ONNX defines it (cross-correlation over the zero-padded input, in double) up to
        // float rounding.
        for (int m = 0; m < maps; m++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                    for (int o = 0; o < outputs; o++)
                    {
                        double sum = b[o];
                        for (int c = 0; c < channels; c++)
                            for (int ky = 0; ky < size; ky++)
                                for (int kx = 0; kx < size; kx++)
                                {
                                    int iy = oy + ky - padBefore, ix = ox + kx - padBefore;
                                    if (iy < 0 || ix < 0 || iy >= height || ix >= width) continue;
                                    float v = x[((m * height + iy) * width + ix) * channels + c];
                                    sum += (rectified ? Math.Max(v, 0) : v) * (double)k[((o * channels + c) * size + ky) * size + kx];
                                }
                        Assert.Equal(sum, actual[((m * outHeight + oy) * outWidth + ox) * outputs + o], 1e-4);
                    }
    }

    [Fact]
    public void A_hand_computed_convolution()
    {
        // One channel 2 x 2, kernel 2 x 2 [[1, 2], [3, 4]], bias 0.5, pads 1 on the top and left only: output 2 x 2 where
        // y[0,0] = 4·x[0,0], y[0,1] = 3·x[0,0] + 4·x[0,1], y[1,0] = 2·x[0,0] + 4·x[1,0], y[1,1] = x·K.
        float[] x = [1, -2, 3, 5];
        var layer = new SparseConvLayer([1, 2, 3, 4], [0.5f], 1, 1, 2, 2, 2, 2, (1, 1, 0, 0));
        var y = new float[4];
        layer.Apply(x, 1, rectified: false, y, 1);
        Assert.Equal([0.5f + 4, 0.5f + 3 - 8, 0.5f + 2 + 12, 0.5f + 1 - 4 + 9 + 20], y);
        layer.Apply(x, 1, rectified: true, y, 1);
        Assert.Equal([0.5f + 4, 0.5f + 3, 0.5f + 2 + 12, 0.5f + 1 + 9 + 20], y);
    }

    [Fact]
    public void A_kernel_of_the_wrong_size_or_not_finite_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new SparseConvLayer(new float[5], new float[1], 1, 1, 2, 2, 3, 3, (0, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => new SparseConvLayer([1, float.NaN, 0, 0], new float[1], 1, 1, 2, 2, 3, 3, (0, 0, 0, 0)));
        Assert.Throws<ArgumentException>(() => new SparseConvLayer(new float[9], new float[1], 1, 1, 3, 3, 1, 1, (0, 0, 0, 0)));
    }
}
