namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// <see cref="IImageWarpKernel"/> on the CPU: contiguous ranges of images in parallel; each image's bilinear taps are
/// computed once and shared by its channels; the adjoint scatters within one image, so threads never write the same
/// pixel. <c>threads</c> caps the workers (0: <see cref="Parallelism.MaxThreads"/>).
/// </summary>
public sealed class ImageWarpCpuKernel(int threads = 0) : IImageWarpKernel
{
    public void Warp(ReadOnlySpan<float> source, Span<float> target, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(source, target, shape, warps, adjoint: false);

    public void WarpAdjoint(ReadOnlySpan<float> gradient, Span<float> result, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(gradient, result, shape, warps, adjoint: true);

    private unsafe void Run(ReadOnlySpan<float> input, Span<float> output, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps, bool adjoint)
    {
        if (input.Length < shape.Length || output.Length < shape.Length || warps.Length < shape.Images)
            throw new ArgumentException("buffers are smaller than the batch shape says");
        var warpArray = warps.ToArray();
        int workers = Math.Min(threads > 0 ? threads : Parallelism.MaxThreads, shape.Images);
        fixed (float* inPtr = input, outPtr = output)
        {
            float* src = inPtr, dst = outPtr;
            // Contiguous ranges of images, one per worker, each with one tap buffer.
            Parallel.For(0, workers, Parallelism.Options(workers), worker =>
            {
                var taps = new Taps(shape.PlaneSize);
                int first = (int)((long)shape.Images * worker / workers), last = (int)((long)shape.Images * (worker + 1) / workers);
                for (int n = first; n < last; n++)
                {
                    taps.Compute(shape, warpArray[n]);
                    for (int c = 0; c < shape.Channels; c++)
                    {
                        long plane = (long)(n * shape.Channels + c) * shape.PlaneSize;
                        if (adjoint) taps.Scatter(src + plane, dst + plane, shape.PlaneSize);
                        else taps.Gather(src + plane, dst + plane, shape.PlaneSize);
                    }
                }
            });
        }
    }

    /// <summary>Per output pixel, its four source pixels (-1 outside the image) and bilinear weights.</summary>
    private sealed class Taps(int pixels)
    {
        private readonly int[] index = new int[4 * pixels];
        private readonly float[] weight = new float[4 * pixels];

        public void Compute(ImageBatchShape shape, AffineWarp w)
        {
            int width = shape.Width, height = shape.Height;
            double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
            int p = 0;
            for (int i = 0; i < height; i++)
            {
                double v = i - cy;
                double rowX = w.B * v + cx + w.Tx, rowY = w.D * v + cy + w.Ty;
                for (int j = 0; j < width; j++, p += 4)
                {
                    double u = j - cx;
                    double x = w.A * u + rowX, y = w.C * u + rowY;
                    double fx0 = Math.Floor(x), fy0 = Math.Floor(y);
                    int x0 = (int)fx0, y0 = (int)fy0;
                    float fx = (float)(x - fx0), fy = (float)(y - fy0);
                    bool left = (uint)x0 < (uint)width, right = (uint)(x0 + 1) < (uint)width;
                    bool top = (uint)y0 < (uint)height, bottom = (uint)(y0 + 1) < (uint)height;
                    int at = y0 * width + x0;
                    index[p] = left && top ? at : -1;
                    index[p + 1] = right && top ? at + 1 : -1;
                    index[p + 2] = left && bottom ? at + width : -1;
                    index[p + 3] = right && bottom ? at + width + 1 : -1;
                    weight[p] = (1 - fx) * (1 - fy);
                    weight[p + 1] = fx * (1 - fy);
                    weight[p + 2] = (1 - fx) * fy;
                    weight[p + 3] = fx * fy;
                }
            }
        }

        public unsafe void Gather(float* source, float* target, int pixels)
        {
            fixed (int* ip = index)
            fixed (float* wp = weight)
                for (int p = 0; p < pixels; p++)
                {
                    float sum = 0;
                    for (int t = 4 * p; t < 4 * p + 4; t++)
                        if (ip[t] >= 0) sum += wp[t] * source[ip[t]];
                    target[p] = sum;
                }
        }

        public unsafe void Scatter(float* gradient, float* result, int pixels)
        {
            new Span<float>(result, pixels).Clear();
            fixed (int* ip = index)
            fixed (float* wp = weight)
                for (int p = 0; p < pixels; p++)
                {
                    float g = gradient[p];
                    if (g == 0) continue;
                    for (int t = 4 * p; t < 4 * p + 4; t++)
                        if (ip[t] >= 0) result[ip[t]] += wp[t] * g;
                }
        }
    }
}
