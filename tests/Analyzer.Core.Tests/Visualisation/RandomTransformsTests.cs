using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Tests.Visualisation;

public class RandomTransformsTests
{
    /// <summary>Recovers scale, angle and shift from a warp built by AffineWarp.FromTransform.</summary>
    private static (double Scale, double Degrees, double ShiftX, double ShiftY) Decompose(Analyzer.Kernels.Visualisation.AffineWarp w)
    {
        double scale = 1 / Math.Sqrt(w.A * w.A + w.B * w.B);
        double angle = Math.Atan2(w.B, w.A);
        // (Tx, Ty) = -(1/s)·R(-angle)·shift  =>  shift = -s·R(angle)·(Tx, Ty)
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        return (scale, angle * 180 / Math.PI, -scale * (cos * w.Tx - sin * w.Ty), -scale * (sin * w.Tx + cos * w.Ty));
    }

    [Fact]
    public void Small_images_are_jittered_by_whole_pixels_up_to_2_and_scaled_without_rotation()
    {
        var rng = new Random(4);
        var draws = Enumerable.Range(0, 2000).Select(_ => Decompose(RandomTransforms.Draw(rng, 28, 28))).ToList();
        Assert.All(draws, d =>
        {
            Assert.InRange(d.Scale, 0.9 - 1e-6, 1.1 + 1e-6);
            Assert.Equal(0, d.Degrees, 4);
            Assert.InRange(d.ShiftX, -2 - 1e-4, 2 + 1e-4);
            Assert.Equal(Math.Round(d.ShiftX), d.ShiftX, 4);
            Assert.Equal(Math.Round(d.ShiftY), d.ShiftY, 4);
        });
        // Every whole shift in [-2, 2] occurs.
        Assert.Equal(5, draws.Select(d => Math.Round(d.ShiftX)).Distinct().Count());
    }

    [Fact]
    public void Large_images_also_rotate_within_10_degrees_and_jitter_up_to_12()
    {
        var rng = new Random(5);
        var draws = Enumerable.Range(0, 2000).Select(_ => Decompose(RandomTransforms.Draw(rng, 224, 224))).ToList();
        Assert.All(draws, d =>
        {
            Assert.InRange(d.Scale, 0.9 - 1e-6, 1.1 + 1e-6);
            Assert.InRange(d.Degrees, -10 - 1e-4, 10 + 1e-4);
            Assert.InRange(Math.Abs(d.ShiftX), 0, 12 + 1e-3);
            Assert.InRange(Math.Abs(d.ShiftY), 0, 12 + 1e-3);
        });
        Assert.True(draws.Max(d => Math.Abs(d.Degrees)) > 9, "rotations should reach near ±10 degrees");
    }
}
