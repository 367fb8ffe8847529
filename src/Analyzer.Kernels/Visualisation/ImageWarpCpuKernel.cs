namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// <see cref="IImageWarpKernel"/> on the CPU: images in parallel; each image's bilinear taps are computed once and
/// shared by its channels; the adjoint scatters within one image, so threads never write the same pixel.
/// </summary>
public sealed class ImageWarpCpuKernel : IImageWarpKernel
{
    public void Warp(ReadOnlySpan<float> source, Span<float> target, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(source, target, shape, warps, adjoint: false);

    public void WarpAdjoint(ReadOnlySpan<float> gradient, Span<float> result, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(gradient, result, shape, warps, adjoint: true);

    private static unsafe void Run(ReadOnlySpan<float> input, Span<float> output, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps, bool adjoint)
    {
        if (input.Length < shape.Length || output.Length < shape.Length || warps.Length < shape.Images)
            throw new ArgumentException("buffers are smaller than the batch shape says");
        var warpArray = warps.ToArray();
        fixed (float* inPtr = input, outPtr = output)
        {
            float* src = inPtr, dst = outPtr;
            Parallel.For(0, shape.Images, Parallelism.Options(), () => new Taps(shape.PlaneSize), (n, _, taps) =>
            {
                taps.Compute(shape, warpArray[n]);
                for (int c = 0; c < shape.Channels; c++)
                {
                    long plane = (long)(n * shape.Channels + c) * shape.PlaneSize;
                    float* a = src + plane, b = dst + plane;
                    if (adjoint)
                    {
                        new Span<float>(b, shape.PlaneSize).Clear();
                        for (int p = 0; p < shape.PlaneSize; p++)
                        {
                            float g = a[p];
                            if (g == 0) continue;
                            for (int t = 0; t < 4; t++)
                                if (taps.Index[4 * p + t] >= 0) b[taps.Index[4 * p + t]] += taps.Weight[4 * p + t] * g;
                        }
                    }
                    else
                    {
                        for (int p = 0; p < shape.PlaneSize; p++)
                        {
                            float sum = 0;
                            for (int t = 0; t < 4; t++)
                                if (taps.Index[4 * p + t] >= 0) sum += taps.Weight[4 * p + t] * a[taps.Index[4 * p + t]];
                            b[p] = sum;
                        }
                    }
                }
                return taps;
            }, _ => { });
        }
    }

    /// <summary>Per output pixel, its four source pixels (-1 outside the image) and bilinear weights.</summary>
    private sealed class Taps(int pixels)
    {
        public readonly int[] Index = new int[4 * pixels];
        public readonly float[] Weight = new float[4 * pixels];

        public void Compute(ImageBatchShape shape, AffineWarp w)
        {
            double cx = (shape.Width - 1) / 2.0, cy = (shape.Height - 1) / 2.0;
            for (int i = 0; i < shape.Height; i++)
                for (int j = 0; j < shape.Width; j++)
                {
                    double u = j - cx, v = i - cy;
                    double x = w.A * u + w.B * v + cx + w.Tx, y = w.C * u + w.D * v + cy + w.Ty;
                    int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
                    double fx = x - x0, fy = y - y0;
                    int p = 4 * (i * shape.Width + j);
                    Set(p, x0, y0, (1 - fx) * (1 - fy));
                    Set(p + 1, x0 + 1, y0, fx * (1 - fy));
                    Set(p + 2, x0, y0 + 1, (1 - fx) * fy);
                    Set(p + 3, x0 + 1, y0 + 1, fx * fy);
                    void Set(int slot, int xx, int yy, double weight)
                    {
                        bool inside = xx >= 0 && xx < shape.Width && yy >= 0 && yy < shape.Height;
                        Index[slot] = inside ? yy * shape.Width + xx : -1;
                        Weight[slot] = (float)weight;
                    }
                }
        }
    }
}
