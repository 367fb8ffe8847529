using Analyzer.Core.Measures;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Tests.Statistics;

public class MeasureResolutionTests
{
    [Fact]
    public void The_entropy_floor_is_that_of_float32_epsilon_left_off_the_top_class()
    {
        // H(ε) = ε (1 - ln ε) + O(ε²) for ε = 2^-24 = 5.96e-8: 1.0513e-6 nats.
        double epsilon = 1.0 / (1 << 24);
        Assert.Equal(epsilon * (1 - Math.Log(epsilon)), MeasureResolution.EntropyFloor, 1e-13);
        Assert.InRange(MeasureResolution.EntropyFloor, 1.05e-6, 1.052e-6);
    }

    [Fact]
    public void Softmax_entropy_is_degenerate_when_half_its_values_are_below_the_floor()
    {
        double[] saturated = [1e-22, 3e-40, 2e-9, 0.3];
        string? reason = Measure.SoftmaxEntropy.Degenerate(saturated);
        Assert.NotNull(reason);
        Assert.StartsWith("75 % of the values", reason);
        Assert.Null(Measure.SoftmaxEntropy.Degenerate([1e-22, 0.2, 0.5, 1.1]));
        // Lesion and score measures are read as they are: zero drops are ties, not noise.
        Assert.Null(Measure.AccDrop.Degenerate([0, 0, 0, 0]));
        Assert.Null(Measure.VisScore.Degenerate([1e-30, 1e-30]));
    }
}
