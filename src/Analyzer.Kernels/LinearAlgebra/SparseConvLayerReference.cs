namespace Analyzer.Kernels.LinearAlgebra;

/// <summary><see cref="SparseConvLayer"/> as plain loops, one entry at a time, to check it against (and where AVX-512 is
/// missing): maps pixel-major, the nonzero inputs of each receptive field in (tap, channel) order.</summary>
public static class SparseConvLayerReference
{
    public static void Apply(ReadOnlySpan<float> x, int maps, int height, int width, int channels, ReadOnlySpan<float> kernel,
        ReadOnlySpan<float> bias, int outputs, int kernelHeight, int kernelWidth, (int Top, int Left) pads, int outHeight, int outWidth,
        bool rectified, Span<float> into)
    {
        int taps = kernelHeight * kernelWidth;
        for (int m = 0; m < maps; m++)
            for (int oy = 0; oy < outHeight; oy++)
                for (int ox = 0; ox < outWidth; ox++)
                    for (int o = 0; o < outputs; o++)
                    {
                        float acc = bias[o];
                        for (int ky = 0; ky < kernelHeight; ky++)
                            for (int kx = 0; kx < kernelWidth; kx++)
                            {
                                int iy = oy - pads.Top + ky, ix = ox - pads.Left + kx;
                                if (iy < 0 || iy >= height || ix < 0 || ix >= width) continue;
                                for (int c = 0; c < channels; c++)
                                {
                                    float v = x[((m * height + iy) * width + ix) * channels + c];
                                    if (rectified ? v > 0 : v != 0)
                                        acc = MathF.FusedMultiplyAdd(v, kernel[((o * channels + c) * taps) + ky * kernelWidth + kx], acc);
                                }
                            }
                        into[((m * outHeight + oy) * outWidth + ox) * outputs + o] = acc;
                    }
    }
}
