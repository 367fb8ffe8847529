using Analyzer.Core.Lesions;

namespace Analyzer.Core.Tests.Lesions;

public class OutputDivergenceTests
{
    private static float[] RandomLogits(Random rng, int count, double spread) =>
        Enumerable.Range(0, count).Select(_ => (float)((rng.NextDouble() - 0.5) * spread)).ToArray();

    /// <summary>Σ KL(p ‖ q) from the definition, in double: the independent reference.</summary>
    private static double Kl(ReadOnlySpan<float> intact, ReadOnlySpan<float> lesioned)
    {
        double Lse(ReadOnlySpan<float> v) { double m = double.NegativeInfinity; foreach (var x in v) m = Math.Max(m, x); double s = 0; foreach (var x in v) s += Math.Exp(x - m); return m + Math.Log(s); }
        double lp = Lse(intact), lq = Lse(lesioned), kl = 0;
        for (int c = 0; c < intact.Length; c++) kl += Math.Exp(intact[c] - lp) * ((intact[c] - lp) - (lesioned[c] - lq));
        return Math.Max(0, kl);
    }

    [Theory]
    [InlineData(10, 37, 8.0)]
    [InlineData(3, 5, 40.0)]   // large logits: the exponentials underflow for all but the top class
    [InlineData(1000, 9, 6.0)]
    public void The_vector_sum_of_logit_divergences_agrees_with_the_definition(int classes, int examples, double spread)
    {
        var rng = new Random(classes + examples);
        var layout = new OutputLayout(classes, 1, 1);
        var intact = RandomLogits(rng, classes * examples, spread);
        var lesioned = intact.Select(v => v + (float)((rng.NextDouble() - 0.5) * spread / 4)).ToArray();
        var divergence = OutputDivergence.OfLogits(layout, intact, examples);
        double expected = 0;
        for (int e = 0; e < examples; e++)
            expected += Kl(intact.AsSpan(e * classes, classes), lesioned.AsSpan(e * classes, classes));
        double sum = divergence.Add(0, intact, 0, examples, lesioned);
        Assert.True(expected > 0);
        Assert.Equal(expected, sum, expected * 1e-12);
        // Identical outputs diverge by nothing.
        Assert.Equal(0, divergence.Add(0, intact, 0, examples, intact), 1e-12);
    }

    [Fact]
    public void An_example_counts_the_same_wherever_the_four_lane_groups_fall()
    {
        int classes = 10, examples = 23;
        var rng = new Random(5);
        var layout = new OutputLayout(classes, 1, 1);
        var intact = RandomLogits(rng, classes * examples, 10);
        var lesioned = RandomLogits(rng, classes * examples, 10);
        var divergence = OutputDivergence.OfLogits(layout, intact, examples);
        double whole = divergence.Add(0.25, intact, 0, examples, lesioned);
        foreach (int split in new[] { 1, 2, 3, 5, 7, 22 })
        {
            double part = divergence.Add(0.25, intact, 0, split, lesioned.AsSpan(0, split * classes));
            part = divergence.Add(part, intact, split, examples - split, lesioned.AsSpan(split * classes));
            Assert.Equal(whole, part); // bit for bit: the same values added in the same order
        }
    }
}
