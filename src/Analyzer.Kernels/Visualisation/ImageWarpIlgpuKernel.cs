using ILGPU;
using ILGPU.Runtime;

namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// <see cref="IImageWarpKernel"/> on an ILGPU accelerator: one thread per output pixel and channel; the adjoint
/// scatters with atomic adds.
/// </summary>
public sealed class ImageWarpIlgpuKernel : IImageWarpKernel, IDisposable
{
    private readonly IlgpuDevice device;
    private Accelerator Accelerator => device.Accelerator;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AffineWarp>, int, int, int, int> warp, adjoint;

    public ImageWarpIlgpuKernel(IlgpuTarget target)
    {
        device = new IlgpuDevice(target);
        warp = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AffineWarp>, int, int, int, int>(WarpKernel);
        adjoint = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AffineWarp>, int, int, int, int>(AdjointKernel);
    }

    public string DeviceName => device.Name;

    public void Warp(ReadOnlySpan<float> source, Span<float> target, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(source, target, shape, warps, warp, clear: false);

    public void WarpAdjoint(ReadOnlySpan<float> gradient, Span<float> result, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps) =>
        Run(gradient, result, shape, warps, adjoint, clear: true);

    private void Run(ReadOnlySpan<float> input, Span<float> output, ImageBatchShape shape, ReadOnlySpan<AffineWarp> warps,
        Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<AffineWarp>, int, int, int, int> kernel, bool clear)
    {
        using var inBuffer = Accelerator.Allocate1D(input[..shape.Length].ToArray());
        using var outBuffer = Accelerator.Allocate1D<float>(shape.Length);
        using var warpBuffer = Accelerator.Allocate1D(warps[..shape.Images].ToArray());
        if (clear) outBuffer.MemSetToZero();
        kernel(shape.Length, inBuffer.View, outBuffer.View, warpBuffer.View, shape.Images, shape.Channels, shape.Height, shape.Width);
        Accelerator.Synchronize();
        outBuffer.GetAsArray1D().AsSpan().CopyTo(output);
    }

    /// <summary>Source coordinates of output pixel (i, j) under warp w.</summary>
    private static void Source(AffineWarp w, int i, int j, int height, int width, out float x, out float y)
    {
        float cx = (width - 1) * 0.5f, cy = (height - 1) * 0.5f;
        float u = j - cx, v = i - cy;
        x = w.A * u + w.B * v + cx + w.Tx;
        y = w.C * u + w.D * v + cy + w.Ty;
    }

    private static void WarpKernel(Index1D thread, ArrayView<float> source, ArrayView<float> target, ArrayView<AffineWarp> warps,
        int images, int channels, int height, int width)
    {
        int index = thread;
        int plane = height * width, p = index % plane, image = index / (channels * plane);
        int i = p / width, j = p % width;
        Source(warps[image], i, j, height, width, out float x, out float y);
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0, sum = 0;
        long basis = (long)(index / plane) * plane;
        for (int t = 0; t < 4; t++)
        {
            int xx = x0 + (t & 1), yy = y0 + (t >> 1);
            if (xx < 0 || xx >= width || yy < 0 || yy >= height) continue;
            float weight = ((t & 1) == 1 ? fx : 1 - fx) * ((t >> 1) == 1 ? fy : 1 - fy);
            sum += weight * source[basis + yy * width + xx];
        }
        target[index] = sum;
    }

    private static void AdjointKernel(Index1D thread, ArrayView<float> gradient, ArrayView<float> result, ArrayView<AffineWarp> warps,
        int images, int channels, int height, int width)
    {
        int index = thread;
        float g = gradient[index];
        if (g == 0) return;
        int plane = height * width, p = index % plane, image = index / (channels * plane);
        int i = p / width, j = p % width;
        Source(warps[image], i, j, height, width, out float x, out float y);
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        long basis = (long)(index / plane) * plane;
        for (int t = 0; t < 4; t++)
        {
            int xx = x0 + (t & 1), yy = y0 + (t >> 1);
            if (xx < 0 || xx >= width || yy < 0 || yy >= height) continue;
            float weight = ((t & 1) == 1 ? fx : 1 - fx) * ((t >> 1) == 1 ? fy : 1 - fy);
            Atomic.Add(ref result[basis + yy * width + xx], weight * g);
        }
    }

    public void Dispose() => device.Dispose();
}
