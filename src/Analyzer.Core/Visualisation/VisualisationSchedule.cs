using Analyzer.Kernels.Visualisation;

namespace Analyzer.Core.Visualisation;

/// <summary>
/// The random choices of one image's optimisation, all from its seed: the starting parameters (N(0, 0.01²) behind
/// the sigmoid, i.e. a grey image with faint noise, as Lucid's pixel images) and one transform per step. Being
/// explicit, the same schedule can be handed to another implementation (the PyTorch benchmark peer) to reproduce an
/// image.
/// </summary>
public sealed class VisualisationSchedule(int seed, int height, int width, bool transforms)
{
    private readonly Random rng = new(seed);

    /// <summary>Draw first: the starting parameters of the whole image.</summary>
    public void InitialParameters(Span<float> parameters)
    {
        for (int k = 0; k < parameters.Length; k++)
        {
            double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
            parameters[k] = (float)(0.01 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
    }

    /// <summary>Then once per step: that step's transform (the identity when transforms are off).</summary>
    public AffineWarp NextWarp() => transforms ? RandomTransforms.Draw(rng, height, width) : AffineWarp.Identity;
}
