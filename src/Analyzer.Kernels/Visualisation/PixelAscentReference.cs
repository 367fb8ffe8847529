namespace Analyzer.Kernels.Visualisation;

/// <summary>The definition of <see cref="IPixelAscentKernel"/>, element by element in float64, for tests.</summary>
public sealed class PixelAscentReference : IPixelAscentKernel
{
    public void Step(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> pixelGradient, Span<float> pixels,
        int step, AdamSettings settings)
    {
        double correction1 = 1 - Math.Pow(settings.Beta1, step), correction2 = 1 - Math.Pow(settings.Beta2, step);
        for (int k = 0; k < parameters.Length; k++)
        {
            double s = 1 / (1 + Math.Exp(-parameters[k]));
            double descent = -pixelGradient[k] * s * (1 - s); // the gradient of the loss -objective
            double mk = settings.Beta1 * m[k] + (1 - settings.Beta1) * descent;
            double vk = settings.Beta2 * v[k] + (1 - settings.Beta2) * descent * descent;
            m[k] = (float)mk;
            v[k] = (float)vk;
            double denominator = Math.Sqrt(vk) / Math.Sqrt(correction2) + settings.Epsilon;
            parameters[k] = (float)(parameters[k] - settings.LearningRate / correction1 * mk / denominator);
            pixels[k] = (float)(1 / (1 + Math.Exp(-parameters[k])));
        }
    }
}
