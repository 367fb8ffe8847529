using Analyzer.Kernels.Visualisation;
using Analyzer.TestSupport;

namespace Analyzer.Kernels.Tests.Visualisation;

/// <summary>What every pixel-ascent kernel must do; subclassed once per implementation.</summary>
public abstract class PixelAscentKernelContract
{
    protected abstract IPixelAscentKernel Kernel { get; }

    [Fact]
    public void The_first_step_moves_every_parameter_by_the_learning_rate_uphill()
    {
        // Adam's first step is lr · m̂/(√v̂ + ε) with m̂ = g and √v̂ = |g|: lr times the sign of the gradient.
        var p = new float[] { 0, 1, -2, 0.5f };
        var g = new float[] { 2, -0.001f, 5, -30 };
        var m = new float[4];
        var v = new float[4];
        var pixels = new float[4];
        var before = (float[])p.Clone();
        Kernel.Step(p, m, v, g, pixels, 1, new AdamSettings(LearningRate: 0.05f));
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(before[k] + 0.05 * Math.Sign(g[k]), p[k], 5);
            Assert.Equal(1 / (1 + Math.Exp(-p[k])), pixels[k], 6);
        }
    }

    [Fact]
    public void A_hundred_random_steps_agree_with_the_reference()
    {
        var rng = new Random(3);
        int n = 40_000;
        var p = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var (m, v, pixels) = (new float[n], new float[n], new float[n]);
        var (pr, mr, vr, pixelsr) = ((float[])p.Clone(), new float[n], new float[n], new float[n]);
        var reference = new PixelAscentReference();
        for (int step = 1; step <= 100; step++)
        {
            var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.3)).ToArray();
            Kernel.Step(p, m, v, g, pixels, step, new AdamSettings());
            reference.Step(pr, mr, vr, g, pixelsr, step, new AdamSettings());
        }
        new Tolerance(1e-4, 1e-4).AssertAll(p.Select(x => (double)x).ToArray(), pr.Select(x => (double)x).ToArray(), "parameters");
        new Tolerance(1e-5, 1e-5).AssertAll(pixels.Select(x => (double)x).ToArray(), pixelsr.Select(x => (double)x).ToArray(), "pixels");
    }
}

public class PixelAscentReferenceTests : PixelAscentKernelContract
{
    protected override IPixelAscentKernel Kernel { get; } = new PixelAscentReference();
}

public class PixelAscentCpuKernelTests : PixelAscentKernelContract
{
    protected override IPixelAscentKernel Kernel { get; } = new PixelAscentCpuKernel();
}

public sealed class PixelAscentIlgpuCpuTests : PixelAscentKernelContract, IDisposable
{
    private readonly PixelAscentIlgpuKernel kernel = new(IlgpuTarget.Cpu);
    protected override IPixelAscentKernel Kernel => kernel;
    public void Dispose() => kernel.Dispose();
}

/// <summary>The ILGPU kernel on a CUDA GPU; skipped where none is visible.</summary>
public sealed class PixelAscentIlgpuCudaTests : IDisposable
{
    private readonly PixelAscentIlgpuKernel? kernel = IlgpuDevice.CudaAvailable() ? new(IlgpuTarget.Cuda) : null;

    [SkippableFact]
    public void Agrees_with_the_cpu_kernel_on_the_gpu()
    {
        Skip.If(kernel is null, "no CUDA device is visible to ILGPU");
        var rng = new Random(5);
        int n = 100_000;
        var p = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var g = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var pc = (float[])p.Clone();
        var (m, v, x, mc, vc, xc) = (new float[n], new float[n], new float[n], new float[n], new float[n], new float[n]);
        kernel!.Step(p, m, v, g, x, 1, new AdamSettings());
        new PixelAscentCpuKernel().Step(pc, mc, vc, g, xc, 1, new AdamSettings());
        new Tolerance(1e-6, 1e-6).AssertAll(x.Select(a => (double)a).ToArray(), xc.Select(a => (double)a).ToArray(), "pixels");
    }

    public void Dispose() => kernel?.Dispose();
}
