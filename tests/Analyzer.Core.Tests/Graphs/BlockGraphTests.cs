using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>
/// The block form of a graph against the plain dense matrix its blocks stand for, built here entry by entry:
/// overlapping blocks add up, and every view (CSR, degrees, subgraphs, the scaled operator) must agree with it.
/// </summary>
public class BlockGraphTests
{
    private const int N = 23;

    /// <summary>Random off-diagonal blocks, some overlapping one another, with a sprinkling of exact zeros.</summary>
    private static (BlockGraph Graph, double[] Dense) Random(int seed)
    {
        var random = new Random(seed);
        var blocks = new List<BlockGraph.Block>();
        var dense = new double[N * N];
        while (blocks.Count < 9)
        {
            int rowStart = random.Next(N), rows = random.Next(1, 6), colStart = random.Next(N), cols = random.Next(1, 6);
            if (rowStart + rows > N || colStart + cols > N) continue;
            if (rowStart < colStart + cols && colStart < rowStart + rows) continue;
            var values = new double[rows * cols];
            for (int i = 0; i < values.Length; i++) values[i] = random.Next(4) == 0 ? 0 : random.NextDouble();
            blocks.Add(new BlockGraph.Block(rowStart, rows, colStart, cols, values));
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                {
                    dense[(rowStart + r) * N + colStart + c] += values[r * cols + c];
                    dense[(colStart + c) * N + rowStart + r] += values[r * cols + c];
                }
        }
        return (new BlockGraph(N, blocks), dense);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Csr_lists_every_non_zero_entry_once_in_column_order(int seed)
    {
        var (graph, dense) = Random(seed);
        var (pointers, columns, values) = graph.ToCsr();
        Assert.Equal(N + 1, pointers.Length);
        var rebuilt = new double[N * N];
        for (int i = 0; i < N; i++)
            for (long k = pointers[i]; k < pointers[i + 1]; k++)
            {
                if (k > pointers[i]) Assert.True(columns[k] > columns[k - 1], $"row {i}: columns not strictly ascending");
                rebuilt[i * N + columns[k]] = values[k];
            }
        Assert.Equal(dense.Count(v => v != 0), values.Length);
        for (int i = 0; i < N * N; i++) Assert.Equal(dense[i], rebuilt[i], 12);
    }

    [Fact]
    public void Dense_form_and_degrees_match_the_entries()
    {
        var (graph, dense) = Random(4);
        var a = graph.ToDense();
        for (int i = 0; i < N * N; i++) Assert.Equal(dense[i], a[i], 12);
        var degrees = graph.Degrees();
        for (int i = 0; i < N; i++) Assert.Equal(dense.AsSpan(i * N, N).ToArray().Sum(), degrees[i], 12);
    }

    [Fact]
    public void Subgraph_keeps_the_entries_between_kept_nodes()
    {
        var (graph, dense) = Random(5);
        int[] nodes = [0, 1, 2, 5, 6, 7, 8, 12, 13, 17, 20, 21, 22];
        var sub = graph.Subgraph(nodes).ToDense();
        int m = nodes.Length;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                Assert.Equal(dense[nodes[i] * N + nodes[j]], sub[i * m + j], 12);
    }

    [Fact]
    public void Scaled_operator_applies_factor_D_A_D_plus_shift()
    {
        var (graph, dense) = Random(6);
        var random = new Random(7);
        int[] nodes = Enumerable.Range(0, N).Where(i => i % 4 != 3).ToArray();
        int m = nodes.Length, cols = 3;
        var scale = Enumerable.Range(0, m).Select(_ => random.NextDouble() + 0.5).ToArray();
        const double factor = -0.75, shift = 1.25;
        var op = graph.ScaledOperator(nodes, scale, factor, shift);
        DenseGraphTests.AssertAppliesDefinition(op, (i, j) => dense[i * N + j], nodes, scale, factor, shift, cols, random);
    }

    [Theory]
    [InlineData(true)] // the restarts of one clustering: their shared sums are taken once
    [InlineData(false)]
    public void The_cuts_of_many_labellings_read_together_equal_each_cut_alone_and_the_dense_cut(bool sameNodesUnlabelled)
    {
        var (graph, dense) = Random(8);
        var random = new Random(9);
        // More labellings than one group reads together, some nodes unlabelled.
        var labelings = Enumerable.Range(0, 11).Select(l =>
            Enumerable.Range(0, N).Select(i => i % (sameNodesUnlabelled ? 7 : 5 + l % 3) == 3 ? -1 : random.Next(2 + l % 4)).ToArray()).ToList();
        var together = NormalizedCut.ComputeAll(graph, labelings);
        Assert.Equal(labelings.Select(labels => NormalizedCut.Compute(graph, labels)), together);
        var denseGraph = new DenseGraph(N, dense);
        for (int l = 0; l < labelings.Count; l++)
            Assert.Equal(NormalizedCut.Compute(denseGraph, labelings[l]), together[l], 10);
    }

    [SkippableFact]
    public void Large_graphs_offer_float32_products_that_agree_with_float64()
    {
        // Without vector tiles (AVX-512 or AVX2) the float32 products would be plain loops, slower than float64's: none is offered.
        Skip.IfNot(Analyzer.Kernels.LinearAlgebra.SingleProduct.Vectorised, "this CPU has neither AVX-512 nor AVX2: large graphs keep float64 products");
        // Ten ranges of 1000 nodes, each joined to the next by a dense block: 10 000 nodes, the size from which the
        // eigensolver's early cycles take float32 products.
        var random = new Random(5);
        const int width = 1000, ranges = 10, cols = 20;
        var blocks = new List<BlockGraph.Block>();
        for (int b = 0; b + 1 < ranges; b++)
            blocks.Add(new BlockGraph.Block(b * width, width, (b + 1) * width, width,
                Enumerable.Range(0, width * width).Select(_ => random.NextDouble()).ToArray()));
        var graph = new BlockGraph(width * ranges, blocks);
        int n = graph.N;
        var scale = Enumerable.Range(0, n).Select(_ => 0.5 + random.NextDouble()).ToArray();
        var op = graph.ScaledOperator(Enumerable.Range(0, n).ToArray(), scale, 0.5, 0.5);
        Assert.True(op.OffersSinglePrecision);
        var x = Enumerable.Range(0, n * cols).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        double[] exact = new double[n * cols], single = new double[n * cols];
        op.Apply(x, cols, exact);
        op.ApplySingle(x, cols, single);
        double largest = exact.Max(Math.Abs);
        for (int i = 0; i < exact.Length; i++)
            Assert.True(Math.Abs(single[i] - exact[i]) <= 1e-5 * largest, $"entry {i}: {single[i]} against {exact[i]}");
        Assert.NotEqual(exact, single); // float32 arithmetic, not a second float64 product

        var smaller = new BlockGraph(n - 1, [new BlockGraph.Block(0, 10, 10, 10, new double[100])]);
        Assert.False(smaller.ScaledOperator(Enumerable.Range(0, n - 1).ToArray(), new double[n - 1], 1, 0).OffersSinglePrecision);
    }
}
