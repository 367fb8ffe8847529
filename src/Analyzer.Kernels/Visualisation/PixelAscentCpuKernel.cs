namespace Analyzer.Kernels.Visualisation;

/// <summary><see cref="IPixelAscentKernel"/> on the CPU in float32, in parallel blocks (at most <c>threads</c> workers;
/// 0: <see cref="Parallelism.MaxThreads"/>).</summary>
public sealed class PixelAscentCpuKernel(int threads = 0) : IPixelAscentKernel
{
    private const int Block = 16384;

    public unsafe void Step(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> pixelGradient, Span<float> pixels,
        int step, AdamSettings settings)
    {
        int length = parameters.Length;
        if (m.Length < length || v.Length < length || pixelGradient.Length < length || pixels.Length < length)
            throw new ArgumentException("buffers are shorter than the parameters");
        float stepSize = settings.LearningRate / (1 - MathF.Pow(settings.Beta1, step));
        float rootCorrection2 = MathF.Sqrt(1 - MathF.Pow(settings.Beta2, step));
        fixed (float* p = parameters, mp = m, vp = v, g = pixelGradient, x = pixels)
        {
            float* pp = p, mm = mp, vv = vp, gg = g, xx = x;
            Parallel.For(0, (length + Block - 1) / Block, Parallelism.Options(threads), b =>
            {
                int end = Math.Min(length, (b + 1) * Block);
                for (int k = b * Block; k < end; k++)
                {
                    float s = 1 / (1 + MathF.Exp(-pp[k]));
                    float descent = -gg[k] * s * (1 - s);
                    float mk = settings.Beta1 * mm[k] + (1 - settings.Beta1) * descent;
                    float vk = settings.Beta2 * vv[k] + (1 - settings.Beta2) * descent * descent;
                    mm[k] = mk;
                    vv[k] = vk;
                    pp[k] -= stepSize * mk / (MathF.Sqrt(vk) / rootCorrection2 + settings.Epsilon);
                    xx[k] = 1 / (1 + MathF.Exp(-pp[k]));
                }
            });
        }
    }
}
