using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>
/// The tiled form of a dense graph (float32 tiles of the upper triangle, in memory or in a file) against the plain
/// dense matrix it stands for: every view must agree with <see cref="DenseGraph"/> on the same entries, and the file
/// must give the same numbers as memory, bit for bit.
/// </summary>
public class TiledGraphTests
{
    // Three tile rows, the last one partial; a constant node (all zero) in the middle tile.
    private const int N = 600;
    private const int Isolated = 300;

    /// <summary>A random symmetric adjacency whose entries are exact float32 values (so tiles lose nothing).</summary>
    private static double[] RandomAdjacency(int seed)
    {
        var random = new Random(seed);
        var a = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = i + 1; j < N; j++)
                a[i * N + j] = a[j * N + i] = i == Isolated || j == Isolated ? 0 : (float)random.NextDouble();
        return a;
    }

    public static TheoryData<bool> Stores => new() { false, true };

    /// <summary>One random adjacency as a dense graph and as tiles in memory or in a file.</summary>
    private static (double[] Adjacency, DenseGraph Dense, TiledGraph Tiled) Graphs(int seed, bool onDisk)
    {
        var adjacency = RandomAdjacency(seed);
        return (adjacency, new DenseGraph(N, adjacency), TiledGraph.Of(N, adjacency, memoryBytes: onDisk ? 0 : long.MaxValue));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Every_view_agrees_with_the_dense_graph(bool onDisk)
    {
        var (adjacency, dense, tiled) = Graphs(1, onDisk);
        using var disposeTiles = tiled;
        Assert.Equal(onDisk, tiled.OnDisk);
        Assert.Equal(adjacency, tiled.ToDense());
        AssertClose(dense.Degrees(), tiled.Degrees(), "degrees");

        var band = new double[300 * N];
        tiled.CopyRows(250, 300, band);
        Assert.Equal(adjacency.AsSpan(250 * N, 300 * N).ToArray(), band);

        var labels = Enumerable.Range(0, N).Select(i => i == Isolated ? -1 : i * 7 % 5).ToArray();
        var (denseVolume, denseWithin, tiledVolume, tiledWithin) = (new double[5], new double[5], new double[5], new double[5]);
        dense.AddLabelSums(labels, denseVolume, denseWithin);
        tiled.AddLabelSums(labels, tiledVolume, tiledWithin);
        AssertClose(denseVolume, tiledVolume, "volume");
        AssertClose(denseWithin, tiledWithin, "within");
        Assert.Equal(NormalizedCut.Compute(dense, labels), NormalizedCut.Compute(tiled, labels), 10);

        var groups = Enumerable.Range(0, N).Select(i => i % 3 == 0 ? -1 : i * 11 % 17).ToArray();
        AssertClose(((WeightedGraph)dense).GroupSums(groups, 17), tiled.GroupSums(groups, 17), "group sums");

        Assert.False(tiled.HasEdges(Isolated, 1, 0, N));
        Assert.True(tiled.HasEdges(590, 10, 0, 5));
        Assert.False(tiled.HasEdges(Isolated, 1, Isolated, 1));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public void Subgraphs_and_the_scaled_operator_agree_with_the_dense_graph(bool onDisk)
    {
        var (_, dense, tiled) = Graphs(2, onDisk);
        using var disposeTiles = tiled;
        // Nodes out of order and across tiles, with the edges kept only where one end is among the first ten.
        int[] nodes = [599, 3, 256, 257, 10, 511, 512, 100, 300, 450, 1, 2, 530];
        Func<int, int, bool> keep = (i, j) => i < 10 || j < 10;
        Assert.Equal(dense.DenseSubgraph(nodes, keep).Adjacency, tiled.DenseSubgraph(nodes, keep).Adjacency);

        var valid = Enumerable.Range(0, N).Where(i => i != Isolated && i % 4 != 1).ToArray();
        var scale = valid.Select(i => 1.0 / (1 + i % 13)).ToArray();
        var random = new Random(3);
        int cols = 5;
        var x = Enumerable.Range(0, valid.Length * cols).Select(_ => random.NextDouble() - 0.5).ToArray();
        var expected = new double[x.Length];
        var actual = new double[x.Length];
        dense.ScaledOperator(valid, scale, 0.5, 0.25).Apply(x, cols, expected);
        tiled.ScaledOperator(valid, scale, 0.5, 0.25).Apply(x, cols, actual);
        AssertClose(expected, actual, "M·X");
        AssertClose(dense.ScaledOperator(valid, scale, 0.5, 0.25).ToDense(), tiled.ScaledOperator(valid, scale, 0.5, 0.25).ToDense(), "M");
    }

    [Fact]
    public void The_cuts_of_many_labellings_read_at_once_equal_each_cut_alone()
    {
        var adjacency = RandomAdjacency(3);
        using var tiled = TiledGraph.Of(N, adjacency, memoryBytes: 0);
        var random = new Random(6);
        var labelings = Enumerable.Range(0, 4).Select(l =>
            Enumerable.Range(0, N).Select(i => i == Isolated ? -1 : random.Next(3 + l)).ToArray()).ToList();
        var together = NormalizedCut.ComputeAll(tiled, labelings);
        Assert.Equal(labelings.Select(labels => NormalizedCut.Compute(tiled, labels)), together);
        var dense = new DenseGraph(N, adjacency);
        for (int l = 0; l < labelings.Count; l++)
            Assert.Equal(NormalizedCut.Compute(dense, labelings[l]), together[l], 10);
    }

    [Fact]
    public void Tiles_in_a_file_give_the_same_partition_as_tiles_in_memory()
    {
        var adjacency = RandomAdjacency(4);
        using var inMemory = TiledGraph.Of(N, adjacency);
        using var inFile = TiledGraph.Of(N, adjacency, memoryBytes: 0);
        var options = new SpectralOptions();
        var a = SpectralPartitioner.Partition(inMemory, 6, options, seed: 5);
        var b = SpectralPartitioner.Partition(inFile, 6, options, seed: 5);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.NormalizedCut, b.NormalizedCut);
        Assert.Equal(-1, a.Labels[Isolated]);
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-11 * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]}, expected {expected[i]}");
    }
}
