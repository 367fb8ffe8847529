using Analyzer.Core.Statistics;

namespace Analyzer.Core.Tests.Statistics;

public class SubclusterPercentileTests
{
    private static readonly double[] Nineteen = Enumerable.Range(1, 19).Select(i => (double)i).ToArray();

    [Theory]
    [InlineData(100.0, 0.025)]   // larger than every control: the most specialised-looking rank
    [InlineData(0.0, 0.975)]     // smaller than every control
    [InlineData(10.5, 0.475)]    // 9 controls above: (9 + 0.5) / 20
    public void Higher_is_specialised_ranks_without_ties(double value, double expected)
    {
        Assert.Equal(expected, SubclusterPercentile.Compute(value, Nineteen, MeasureOrientation.HigherIsSpecialised), 15);
    }

    [Fact]
    public void Lower_is_specialised_reverses_the_order()
    {
        Assert.Equal(0.025, SubclusterPercentile.Compute(0.0, Nineteen, MeasureOrientation.LowerIsSpecialised), 15);
        Assert.Equal(0.975, SubclusterPercentile.Compute(100.0, Nineteen, MeasureOrientation.LowerIsSpecialised), 15);
    }

    [Fact]
    public void Mid_rank_counts_half_of_the_ties()
    {
        // Controls: 5 above x, 6 equal, 8 below: (5 + 3 + 0.5) / 20 = 0.425.
        double[] controls = [.. Enumerable.Repeat(2.0, 5), .. Enumerable.Repeat(1.0, 6), .. Enumerable.Repeat(0.0, 8)];
        Assert.Equal(0.425, SubclusterPercentile.Compute(1.0, controls, MeasureOrientation.HigherIsSpecialised), 15);
        // All 19 tied: exactly the middle, 0.5.
        Assert.Equal(0.5, SubclusterPercentile.Compute(3.0, Enumerable.Repeat(3.0, 19).ToArray(), MeasureOrientation.HigherIsSpecialised), 15);
    }

    [Fact]
    public void Strict_tie_percentile_reproduces_reference_code_bias()
    {
        // Ties counted as less extreme: (5 + 0.5) / 20 = 0.275, lower (more "specialised") than mid-rank's 0.425.
        double[] controls = [.. Enumerable.Repeat(2.0, 5), .. Enumerable.Repeat(1.0, 6), .. Enumerable.Repeat(0.0, 8)];
        Assert.Equal(0.275, SubclusterPercentile.Compute(1.0, controls, MeasureOrientation.HigherIsSpecialised, PercentileTies.Strict), 15);
    }

    [Fact]
    public void Non_finite_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SubclusterPercentile.Compute(double.NaN, Nineteen, MeasureOrientation.HigherIsSpecialised));
    }

    [Fact]
    public void Uniform_percentiles_give_the_reference_fisher_statistic()
    {
        // The 20 possible mid-rank percentiles, each once: F = -mean(ln((j + 0.5)/20)) = 0.98278 (docs/method.md §7).
        var p = Enumerable.Range(0, 20).Select(j => (j + 0.5) / 20).ToArray();
        Assert.Equal(0.98278, FisherCombination.Statistic(p), 5);
    }
}

public class EffectMeasureTests
{
    [Theory]
    [InlineData(3.0, 1.0, 1.5)]      // 2·3/(3 + 1)
    [InlineData(0.0, 0.0, 1.0)]      // both zero
    [InlineData(-1.0, 2.0, 0.0)]     // x clipped to 0
    [InlineData(2.0, -5.0, 2.0)]     // μ clipped to 0
    public void Effect_is_two_x_over_x_plus_mu(double x, double mu, double expected)
    {
        Assert.Equal(expected, EffectMeasure.Compute(x, [mu, mu, mu]), 15);
    }

    [Fact]
    public void Summary_gives_mean_and_standard_error_with_one_degree_of_freedom()
    {
        // Effects 1, 2, 3: mean 2, sd (ddof 1) = 1, SE = 1/√3.
        var s = EffectMeasure.Summarise([1.0, 2.0, 3.0]);
        Assert.Equal(2.0, s.Mean, 15);
        Assert.Equal(1 / Math.Sqrt(3), s.StandardError, 15);
    }
}
