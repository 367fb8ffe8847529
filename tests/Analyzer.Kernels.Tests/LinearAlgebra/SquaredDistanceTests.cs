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

    [Theory]
    [InlineData(1, 1)]
    [InlineData(32, 32)]
    [InlineData(7, 5)]
    [InlineData(3, 4224)]
    [InlineData(33, 37)]
    [InlineData(5, 48)] // eight vectors of columns, then four
    public void ToColumns_matches_the_reference_bit_for_bit(int d, int m)
    {
        var rng = new Random(d * 1000 + m);
        var columns = Enumerable.Range(0, d * m).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var v = Enumerable.Range(0, d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var expected = new double[m];
        SquaredDistanceReference.ToColumns(columns, m, v, expected);
        var actual = new double[m];
        SquaredDistance.ToColumns(columns, m, v, actual);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(32, 1000, 5)] // seeding: four at once and one alone
    [InlineData(7, 37, 4)]
    [InlineData(3, 10, 9)]
    [InlineData(1, 3, 1)]
    public void ToColumnsOfEach_gives_each_vectors_reference_distances_bit_for_bit(int d, int m, int count)
    {
        var rng = new Random(d * 100 + m + count);
        var columns = Enumerable.Range(0, d * m).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var vectors = Enumerable.Range(0, count * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var actual = new double[count * m];
        SquaredDistance.ToColumnsOfEach(columns, m, vectors, count, actual);
        for (int t = 0; t < count; t++)
        {
            var expected = new double[m];
            SquaredDistanceReference.ToColumns(columns, m, vectors[(t * d)..((t + 1) * d)], expected);
            Assert.Equal(expected, actual[(t * m)..((t + 1) * m)]);
        }
    }

    [Fact]
    public void ToColumns_of_a_hand_computed_case()
    {
        // Columns (1, 0), (0, 2), (3, 4) of a 2 x 3 matrix; v = (1, 1): distances 1, 2, 13.
        var result = new double[3];
        SquaredDistance.ToColumns([1, 0, 3, 0, 2, 4], 3, [1, 1], result);
        Assert.Equal([1.0, 2.0, 13.0], result);
        Assert.Throws<ArgumentException>(() => SquaredDistance.ToColumns([1, 2, 3], 2, [1, 1], result));
    }
}
