using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class SquaredDistanceTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(32)]
    [InlineData(37)]
    [InlineData(1000)]
    public void Compute_matches_the_reference_on_random_vectors(int length)
    {
        var rng = new Random(length);
        var a = Enumerable.Range(0, length).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var b = Enumerable.Range(0, length).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        double expected = SquaredDistanceReference.Compute(a, b);
        Assert.Equal(expected, SquaredDistance.Compute(a, b), 1e-12 * Math.Max(1, expected));
    }

    [Fact]
    public void A_hand_computed_case_and_a_length_mismatch()
    {
        Assert.Equal(25.0, SquaredDistance.Compute([1, 2, 3, 4, 5], [1, 2, 3, 1, 1]));
        Assert.Throws<ArgumentException>(() => SquaredDistance.Compute([1, 2], [1]));
    }
}
