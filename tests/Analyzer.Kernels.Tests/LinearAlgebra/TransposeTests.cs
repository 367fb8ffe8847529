using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class TransposeTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 70)]
    [InlineData(64, 32)]
    [InlineData(100, 37)]
    public void Apply_matches_the_reference(int rows, int cols)
    {
        var rng = new Random(rows * 31 + cols);
        var a = Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble()).ToArray();
        var fast = new double[rows * cols];
        var slow = new double[rows * cols];
        Transpose.Apply(a, rows, cols, fast);
        Transpose.Reference(a, rows, cols, slow);
        Assert.Equal(slow, fast);
        Assert.Equal(a[0 * cols + cols - 1], fast[(cols - 1) * rows + 0]); // A[0, last] is B[last, 0]
    }
}
