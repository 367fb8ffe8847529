using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class LabelledRowSumsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(31)]
    [InlineData(4224)]
    public void Compute_matches_the_reference_on_random_rows(int length)
    {
        var rng = new Random(length);
        var row = Enumerable.Range(0, length).Select(_ => rng.Next(4) == 0 ? 0 : rng.NextDouble()).ToArray();
        var labels = Enumerable.Range(0, length).Select(_ => rng.Next(-1, 5)).ToArray();
        for (int label = 0; label < 5; label++)
        {
            var expected = LabelledRowSumsReference.Compute(row, labels, label);
            var actual = LabelledRowSums.Compute(row, labels.Select(l => (double)l).ToArray(), label);
            Assert.Equal(expected.Labelled, actual.Labelled, 1e-12 * length);
            Assert.Equal(expected.Within, actual.Within, 1e-12 * length);
            var doubles = labels.Select(l => (double)l).ToArray();
            Assert.Equal(actual.Labelled, LabelledRowSums.Labelled(row, doubles));
            Assert.Equal(actual.Within, LabelledRowSums.Within(row, doubles, label));
        }
    }

    [Fact]
    public void A_hand_computed_row()
    {
        // Labels -1, 0, 1, 0, 0 with values 5, 1, 2, 3, 4: labelled 1 + 2 + 3 + 4 = 10, within label 0: 1 + 3 + 4 = 8.
        var (labelled, within) = LabelledRowSums.Compute([5, 1, 2, 3, 4], [-1, 0, 1, 0, 0], 0);
        Assert.Equal(10.0, labelled);
        Assert.Equal(8.0, within);
    }
}
