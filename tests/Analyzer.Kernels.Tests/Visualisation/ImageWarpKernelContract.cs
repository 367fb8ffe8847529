using Analyzer.Kernels.Visualisation;
using Analyzer.TestSupport;

namespace Analyzer.Kernels.Tests.Visualisation;

/// <summary>What every image-warp kernel must do; subclassed once per implementation.</summary>
public abstract class ImageWarpKernelContract
{
    protected abstract IImageWarpKernel Kernel { get; }

    private static float[] Random(int seed, int count)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    private static AffineWarp[] RandomWarps(int seed, int count)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => AffineWarp.FromTransform(0.9 + 0.2 * rng.NextDouble(),
            (rng.NextDouble() - 0.5) * 0.35, rng.Next(-3, 4) + rng.NextDouble(), rng.Next(-3, 4))).ToArray();
    }

    [Fact]
    public void The_identity_copies_the_images()
    {
        var shape = new ImageBatchShape(2, 3, 5, 6);
        var source = Random(1, shape.Length);
        var target = new float[shape.Length];
        Kernel.Warp(source, target, shape, [AffineWarp.Identity, AffineWarp.Identity]);
        Assert.Equal(source, target);
    }

    [Fact]
    public void A_whole_pixel_shift_moves_the_image_and_fills_zeros()
    {
        // Shifting right by one and down by two: output (i, j) = source (i - 2, j - 1), zero where that is outside.
        var shape = new ImageBatchShape(1, 1, 4, 5);
        var source = Enumerable.Range(1, 20).Select(v => (float)v).ToArray();
        var target = new float[20];
        Kernel.Warp(source, target, shape, [AffineWarp.FromTransform(1, 0, 1, 2)]);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 5; j++)
                Assert.Equal(i >= 2 && j >= 1 ? source[(i - 2) * 5 + j - 1] : 0f, target[i * 5 + j]);
    }

    [Fact]
    public void Random_warps_agree_with_the_reference()
    {
        var shape = new ImageBatchShape(5, 3, 11, 9);
        var source = Random(2, shape.Length);
        var warps = RandomWarps(3, shape.Images);
        var expected = new float[shape.Length];
        var actual = new float[shape.Length];
        new ImageWarpReference().Warp(source, expected, shape, warps);
        Kernel.Warp(source, actual, shape, warps);
        new Tolerance(1e-5, 1e-5).AssertAll(actual.Select(v => (double)v).ToArray(), expected.Select(v => (double)v).ToArray(), "warped");
        var expectedAdjoint = new float[shape.Length];
        var actualAdjoint = new float[shape.Length];
        new ImageWarpReference().WarpAdjoint(source, expectedAdjoint, shape, warps);
        Kernel.WarpAdjoint(source, actualAdjoint, shape, warps);
        new Tolerance(1e-5, 1e-5).AssertAll(actualAdjoint.Select(v => (double)v).ToArray(), expectedAdjoint.Select(v => (double)v).ToArray(), "adjoint");
    }

    [Fact]
    public void The_adjoint_satisfies_the_dot_product_identity()
    {
        // <W x, y> = <x, Wᵀ y> for every x, y: the adjoint is the transpose of the warp, not an approximate inverse.
        var shape = new ImageBatchShape(4, 2, 13, 10);
        var x = Random(4, shape.Length);
        var y = Random(5, shape.Length);
        var warps = RandomWarps(6, shape.Images);
        var wx = new float[shape.Length];
        var wty = new float[shape.Length];
        Kernel.Warp(x, wx, shape, warps);
        Kernel.WarpAdjoint(y, wty, shape, warps);
        double left = wx.Zip(y, (a, b) => (double)a * b).Sum(), right = x.Zip(wty, (a, b) => (double)a * b).Sum();
        Assert.True(Math.Abs(left - right) <= 1e-5 * Math.Abs(left), $"<Wx, y> = {left}, <x, Wᵀy> = {right}");
    }
}

public class ImageWarpReferenceTests : ImageWarpKernelContract
{
    protected override IImageWarpKernel Kernel { get; } = new ImageWarpReference();
}

public class ImageWarpCpuKernelTests : ImageWarpKernelContract
{
    protected override IImageWarpKernel Kernel { get; } = new ImageWarpCpuKernel();
}

/// <summary>The ILGPU kernel on ILGPU's CPU accelerator: the same code that becomes PTX, run in CI.</summary>
public sealed class ImageWarpIlgpuCpuTests : ImageWarpKernelContract, IDisposable
{
    private readonly ImageWarpIlgpuKernel kernel = new(IlgpuTarget.Cpu);
    protected override IImageWarpKernel Kernel => kernel;
    public void Dispose() => kernel.Dispose();
}

/// <summary>The ILGPU kernel on a CUDA GPU; skipped where none is visible.</summary>
public sealed class ImageWarpIlgpuCudaTests : IDisposable
{
    private readonly ImageWarpIlgpuKernel? kernel = IlgpuDevice.CudaAvailable() ? new(IlgpuTarget.Cuda) : null;

    [SkippableFact]
    public void Agrees_with_the_cpu_kernel_on_the_gpu()
    {
        Skip.If(kernel is null, "no CUDA device is visible to ILGPU");
        var shape = new ImageBatchShape(20, 3, 32, 32);
        var rng = new Random(7);
        var source = Enumerable.Range(0, shape.Length).Select(_ => (float)rng.NextDouble()).ToArray();
        var warps = Enumerable.Range(0, 20).Select(_ => AffineWarp.FromTransform(0.9 + 0.2 * rng.NextDouble(), 0.1, 2, -1)).ToArray();
        var expected = new float[shape.Length];
        var actual = new float[shape.Length];
        new ImageWarpCpuKernel().WarpAdjoint(source, expected, shape, warps);
        kernel!.WarpAdjoint(source, actual, shape, warps);
        new Tolerance(1e-5, 1e-5).AssertAll(actual.Select(v => (double)v).ToArray(), expected.Select(v => (double)v).ToArray(), "adjoint");
    }

    public void Dispose() => kernel?.Dispose();
}
