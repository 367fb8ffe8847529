namespace Analyzer.Kernels.Visualisation;

/// <summary>The definition of <see cref="IImageWarpKernel"/>, pixel by pixel, for tests to compare kernels with.</summary>
public sealed class ImageWarpReference : IImageWarpKernel
{
    public void Warp(ReadOnlySpan<float> source, Span<float> target, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps)
    {
        for (int n = 0; n < shape.Images; n++)
            for (int c = 0; c < shape.Channels; c++)
                for (int i = 0; i < shape.Height; i++)
                    for (int j = 0; j < shape.Width; j++)
                    {
                        double sum = 0;
                        foreach (var (index, weight) in Taps(shape, warps[n], i, j))
                            sum += weight * source[(n * shape.Channels + c) * shape.PlaneSize + index];
                        target[(n * shape.Channels + c) * shape.PlaneSize + i * shape.Width + j] = (float)sum;
                    }
    }

    public void WarpAdjoint(ReadOnlySpan<float> gradient, Span<float> result, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps)
    {
        var sums = new double[shape.Length];
        for (int n = 0; n < shape.Images; n++)
            for (int c = 0; c < shape.Channels; c++)
                for (int i = 0; i < shape.Height; i++)
                    for (int j = 0; j < shape.Width; j++)
                        foreach (var (index, weight) in Taps(shape, warps[n], i, j))
                            sums[(n * shape.Channels + c) * shape.PlaneSize + index] +=
                                weight * gradient[(n * shape.Channels + c) * shape.PlaneSize + i * shape.Width + j];
        for (int k = 0; k < sums.Length; k++) result[k] = (float)sums[k];
    }

    /// <summary>The source pixels output pixel (i, j) reads and their bilinear weights.</summary>
    private static List<(int Index, double Weight)> Taps(ImageBatchShape shape, AffineWarp w, int i, int j)
    {
        double cx = (shape.Width - 1) / 2.0, cy = (shape.Height - 1) / 2.0;
        double u = j - cx, v = i - cy;
        double x = w.A * u + w.B * v + cx + w.Tx, y = w.C * u + w.D * v + cy + w.Ty;
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        var taps = new List<(int, double)>(4);
        foreach (var (yy, wy) in new[] { (y0, 1 - fy), (y0 + 1, fy) })
            foreach (var (xx, wx) in new[] { (x0, 1 - fx), (x0 + 1, fx) })
                if (yy >= 0 && yy < shape.Height && xx >= 0 && xx < shape.Width)
                    taps.Add((yy * shape.Width + xx, wy * wx));
        return taps;
    }
}
