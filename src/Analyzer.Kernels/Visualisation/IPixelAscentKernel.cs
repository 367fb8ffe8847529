namespace Analyzer.Kernels.Visualisation;

/// <summary>
/// One step of gradient ascent on images parameterised through a sigmoid (docs/method.md §6): pixel = σ(p). Given the
/// objective's gradient with respect to the pixels, the step takes it to p (· σ'(p)), moves p with Adam (as PyTorch's
/// torch.optim.Adam minimising the negated objective) and writes the new pixels.
/// </summary>
public interface IPixelAscentKernel
{
    /// <param name="parameters">p, updated in place.</param>
    /// <param name="m">Adam's first moment, updated in place (zeros before step 1).</param>
    /// <param name="v">Adam's second moment, updated in place (zeros before step 1).</param>
    /// <param name="pixelGradient">d objective / d pixel at the current pixels σ(p).</param>
    /// <param name="pixels">Receives σ(p) after the step.</param>
    /// <param name="step">1 for the first step.</param>
    void Step(Span<float> parameters, Span<float> m, Span<float> v, ReadOnlySpan<float> pixelGradient, Span<float> pixels,
        int step, AdamSettings settings);
}
