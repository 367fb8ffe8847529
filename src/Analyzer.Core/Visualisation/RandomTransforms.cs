using Analyzer.Kernels.Visualisation;

namespace Analyzer.Core.Visualisation;

/// <summary>
/// The random transform of one image at one step (docs/method.md §6), as a single affine warp with zero fill: images under
/// 64 pixels: jitter up to 2 pixels and scale in [0.9, 1.1]; larger ones: jitter 8 and 4 (summed), scale in
/// [0.9, 1.1] and rotation within ±10 degrees (the padding of 12 is the zero fill around the warped image).
/// </summary>
public static class RandomTransforms
{
    public static AffineWarp Draw(Random rng, int height, int width)
    {
        if (Math.Min(height, width) < 64)
        {
            int dx = rng.Next(-2, 3), dy = rng.Next(-2, 3);
            double scale = 0.9 + 0.2 * rng.NextDouble();
            return AffineWarp.FromTransform(scale, 0, dx, dy);
        }
        int sx = rng.Next(-8, 9) + rng.Next(-4, 5), sy = rng.Next(-8, 9) + rng.Next(-4, 5);
        double s = 0.9 + 0.2 * rng.NextDouble();
        double angle = (rng.NextDouble() * 20 - 10) * Math.PI / 180;
        return AffineWarp.FromTransform(s, angle, sx, sy);
    }
}
