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
    [InlineData(32, 1000, 5)] // seeding with k = 32: one group of five
    [InlineData(6, 39, 5)] // points off the tile width
    [InlineData(32, 1000, 6)] // a group of five, then a short one
    [InlineData(7, 37, 4)]
    [InlineData(3, 10, 9)]
    [InlineData(1, 3, 1)]
    public void Point_tiles_give_each_vectors_reference_distances_bit_for_bit(int d, int n, int count)
    {
        var rng = new Random(d * 100 + n + count);
        var points = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var columns = new double[d * n];
        for (int i = 0; i < n; i++)
            for (int q = 0; q < d; q++) columns[q * n + i] = points[i * d + q];
        var vectors = Enumerable.Range(0, count * d).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var actual = Enumerable.Repeat(-1.0, count * n + 3).ToArray();
        new PointTiles(points, n, d).SquaredDistances(vectors, count, actual);
        for (int t = 0; t < count; t++)
        {
            var expected = new double[n];
            SquaredDistanceReference.ToColumns(columns, n, vectors[(t * d)..((t + 1) * d)], expected);
            Assert.Equal(expected, actual[(t * n)..((t + 1) * n)]);
        }
        Assert.Equal([-1.0, -1.0, -1.0], actual[(count * n)..]); // nothing written past the results
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
