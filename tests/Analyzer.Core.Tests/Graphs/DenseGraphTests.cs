using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Graphs;

public class DenseGraphTests
{
    /// <summary>A random symmetric adjacency with zero diagonal and about a third of its entries zero.</summary>
    private static DenseGraph Random(int n, int seed)
    {
        var random = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                a[i * n + j] = a[j * n + i] = random.NextDouble() < 0.3 ? 0 : random.NextDouble();
        return new DenseGraph(n, a);
    }

    /// <summary>Checks op·x against every entry of factor·S·A[nodes, nodes]·S + shift·I written out from the definition.</summary>
    internal static void AssertAppliesDefinition(SymmetricOperator op, Func<int, int, double> adjacency, int[] nodes, double[] scale,
        double factor, double shift, int cols, Random random)
    {
        int m = nodes.Length;
        var x = Enumerable.Range(0, m * cols).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = new double[m * cols];
        op.Apply(x, cols, y);
        for (int i = 0; i < m; i++)
            for (int c = 0; c < cols; c++)
            {
                double expected = shift * x[i * cols + c];
                for (int j = 0; j < m; j++)
                    expected += factor * scale[i] * adjacency(nodes[i], nodes[j]) * scale[j] * x[j * cols + c];
                Assert.Equal(expected, y[i * cols + c], 12);
            }
    }

    [Theory]
    [InlineData(7, 2)]
    [InlineData(130, 5)]
    public void Scaled_operator_matches_factor_D_A_D_plus_shift_written_out(int n, int cols)
    {
        var graph = Random(n, n);
        var random = new Random(n + 1);
        int[] nodes = Enumerable.Range(0, n).Where(i => i % 5 != 2).ToArray();
        int m = nodes.Length;
        var scale = Enumerable.Range(0, m).Select(_ => random.NextDouble() + 0.5).ToArray();
        const double factor = 0.5, shift = 0.5;
        var op = graph.ScaledOperator(nodes, scale, factor, shift);
        Assert.Equal(m, op.N);
        AssertAppliesDefinition(op, (i, j) => graph[i, j], nodes, scale, factor, shift, cols, random);
        // ToDense gives the same matrix.
        var dense = op.ToDense();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                Assert.Equal(factor * scale[i] * graph[nodes[i], nodes[j]] * scale[j] + (i == j ? shift : 0), dense[i * m + j], 14);
    }
}
