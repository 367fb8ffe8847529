using Analyzer.Core.Errors;
using Analyzer.Core.Measures;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Tests.Measures;

public class ReferenceCompatTests
{
    [Fact]
    public void Normalised_class_range_divides_by_the_absolute_mean_drop()
    {
        // Drops 0.1, -0.05, 0.25: range 0.3, mean 0.1 -> 3.
        Assert.Equal(3.0, LesionMeasures.NormalisedClassRange([0.1, -0.05, 0.25]), 12);
        Assert.Equal(0.3, LesionMeasures.ClassRange([0.1, -0.05, 0.25]), 12);
    }

    [Fact]
    public void Mean_class_accuracy_drop_weights_classes_equally()
    {
        var baseline = new LesionOutcome("b", 0.9, [1.0, 0.8]);
        var lesioned = new LesionOutcome("l", 0.7, [0.9, 0.3]);
        Assert.Equal(0.9 - 0.6, LesionMeasures.MeanClassAccuracyDrop(baseline, lesioned), 12);
    }

    [Theory]
    [InlineData(0.02, 0.01, 2 * 0.02 / 0.03)]
    [InlineData(0.02, -0.01, 0.0)] // the controls' mean drop is negative: 0 in the reference code
    [InlineData(-0.02, 0.01, 0.0)]
    public void Reference_acc_drop_effect_is_zero_unless_both_drops_are_positive(double x, double mu, double expected)
    {
        Assert.Equal(expected, EffectMeasure.ComputeReference(x, [mu, mu]), 12);
    }

    [Fact]
    public void Switches_parse_by_name_or_all_and_unknown_names_are_refused()
    {
        Assert.Equal(["ties", "class-range"], ReferenceCompat.Parse("class-range, ties").Enabled);
        Assert.Equal(ReferenceCompat.Names, ReferenceCompat.Parse("all").Enabled);
        Assert.Empty(ReferenceCompat.Parse(null).Enabled);
        Assert.Equal(PercentileTies.Strict, ReferenceCompat.Parse("ties").Ties);
        var e = Assert.Throws<UsageException>(() => ReferenceCompat.Parse("fft"));
        Assert.Equal("Compat", e.Setting);
        Assert.StartsWith("'fft' is not a reference-compat switch", e.Problem);
    }
}
