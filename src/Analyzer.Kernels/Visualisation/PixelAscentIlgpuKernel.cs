using ILGPU;
using ILGPU.Runtime;

namespace Analyzer.Kernels.Visualisation;

/// <summary><see cref="IPixelAscentKernel"/> on an ILGPU accelerator: one thread per pixel.</summary>
public sealed class PixelAscentIlgpuKernel : IPixelAscentKernel, IDisposable
{
    private readonly IlgpuDevice device;
    private Accelerator Accelerator => device.Accelerator;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamSettings, float, float> step;

    public PixelAscentIlgpuKernel(IlgpuTarget target)
    {
        device = new IlgpuDevice(target);
        step = Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamSettings, float, float>(StepKernel);
    }

    public void Step(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> pixelGradient, Span<float> pixels,
        int stepNumber, AdamSettings settings)
    {
        int length = parameters.Length;
        using var p = Accelerator.Allocate1D(parameters.ToArray());
        using var mb = Accelerator.Allocate1D(m[..length].ToArray());
        using var vb = Accelerator.Allocate1D(v[..length].ToArray());
        using var g = Accelerator.Allocate1D(pixelGradient[..length].ToArray());
        using var x = Accelerator.Allocate1D<float>(length);
        float stepSize = settings.LearningRate / (1 - MathF.Pow(settings.Beta1, stepNumber));
        float rootCorrection2 = MathF.Sqrt(1 - MathF.Pow(settings.Beta2, stepNumber));
        step(length, p.View, mb.View, vb.View, g.View, x.View, settings, stepSize, rootCorrection2);
        Accelerator.Synchronize();
        p.GetAsArray1D().AsSpan().CopyTo(parameters);
        mb.GetAsArray1D().AsSpan().CopyTo(m);
        vb.GetAsArray1D().AsSpan().CopyTo(v);
        x.GetAsArray1D().AsSpan().CopyTo(pixels);
    }

    private static void StepKernel(Index1D k, ArrayView<float> p, ArrayView<float> m, ArrayView<float> v, ArrayView<float> g,
        ArrayView<float> x, AdamSettings settings, float stepSize, float rootCorrection2)
    {
        float s = 1 / (1 + MathF.Exp(-p[k]));
        float descent = -g[k] * s * (1 - s);
        float mk = settings.Beta1 * m[k] + (1 - settings.Beta1) * descent;
        float vk = settings.Beta2 * v[k] + (1 - settings.Beta2) * descent * descent;
        m[k] = mk;
        v[k] = vk;
        float updated = p[k] - stepSize * mk / (MathF.Sqrt(vk) / rootCorrection2 + settings.Epsilon);
        p[k] = updated;
        x[k] = 1 / (1 + MathF.Exp(-updated));
    }

    public void Dispose() => device.Dispose();
}
