using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Clustering;

public class SpectralPartitionerTests
{
    /// <summary>A planted partition: clusters of the given sizes, dense random weights inside, sparse weak ones across.</summary>
    internal static (DenseGraph Graph, int[] Truth) Planted(int[] sizes, int seed, double inside = 1.0, double across = 0.02)
    {
        int n = sizes.Sum();
        var truth = new int[n];
        for (int c = 0, o = 0; c < sizes.Length; o += sizes[c], c++)
            for (int i = 0; i < sizes[c]; i++) truth[o + i] = c;
        // Shuffle node order so that clusters are not contiguous.
        var rng = new Random(seed);
        truth = truth.OrderBy(_ => rng.Next()).ToArray();
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double w = truth[i] == truth[j] ? inside * (0.5 + rng.NextDouble()) : rng.NextDouble() < 0.1 ? across * rng.NextDouble() : 0;
                a[i * n + j] = a[j * n + i] = w;
            }
        return (new DenseGraph(n, a), truth);
    }

    /// <summary>Two labelings are the same partition up to renaming.</summary>
    private static void AssertSamePartition(int[] expected, int[] actual)
    {
        var forward = new Dictionary<int, int>();
        var backward = new Dictionary<int, int>();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(forward.GetValueOrDefault(expected[i], actual[i]), actual[i]);
            Assert.Equal(backward.GetValueOrDefault(actual[i], expected[i]), expected[i]);
            forward[expected[i]] = actual[i];
            backward[actual[i]] = expected[i];
        }
    }

    [Theory]
    [InlineData(new[] { 30, 40, 50 }, 1)]
    [InlineData(new[] { 100, 80, 120, 90, 60, 70, 110, 50 }, 2)] // 680 nodes: the block Krylov path
    public void Planted_clusters_are_recovered_exactly(int[] sizes, int seed)
    {
        var (graph, truth) = Planted(sizes, seed);
        var partition = SpectralPartitioner.Partition(graph, sizes.Length, new SpectralOptions(), seed: 0);
        Assert.Equal(sizes.Length, partition.Clusters);
        AssertSamePartition(truth, partition.Labels);
    }

    [Fact]
    public void Disconnected_graph_keeps_components_in_separate_clusters_and_has_a_zero_eigenvalue_per_component()
    {
        var (graph, truth) = Planted([60, 70, 80, 90, 100], seed: 3, across: 0);
        var partition = SpectralPartitioner.Partition(graph, 5, new SpectralOptions(), seed: 0);
        AssertSamePartition(truth, partition.Labels);
        Assert.All(partition.Eigenvalues, v => Assert.InRange(v, -1e-8, 1e-8));
        Assert.Equal(0, partition.NormalizedCut, 12);
    }

    [Fact]
    public void Isolated_nodes_are_invalid_and_labelled_minus_one()
    {
        var (planted, _) = Planted([10, 12], seed: 4);
        int n = planted.N + 2;
        var a = new double[n * n];
        for (int i = 0; i < planted.N; i++)
            for (int j = 0; j < planted.N; j++)
                a[(i + 1) * n + j + 1] = planted[i, j];
        var partition = SpectralPartitioner.Partition(new DenseGraph(n, a), 2, new SpectralOptions(), seed: 0);
        Assert.Equal(-1, partition.Labels[0]);
        Assert.Equal(-1, partition.Labels[^1]);
        Assert.Equal(2, partition.InvalidCount);
        Assert.All(partition.Labels[1..^1], l => Assert.InRange(l, 0, 1));
    }

    [Fact]
    public void Clusters_are_numbered_by_their_smallest_node()
    {
        var (graph, _) = Planted([25, 25, 25], seed: 5);
        var labels = SpectralPartitioner.Partition(graph, 3, new SpectralOptions(), seed: 0).Labels;
        var firstSeen = labels.Distinct().ToArray();
        Assert.Equal([0, 1, 2], firstSeen);
    }

    [Fact]
    public void Same_seed_gives_the_same_labels_and_cut()
    {
        var (graph, _) = Planted([50, 60, 70, 80], seed: 6, across: 0.5);
        var a = SpectralPartitioner.Partition(graph, 4, new SpectralOptions(), seed: 11);
        var b = SpectralPartitioner.Partition(graph, 4, new SpectralOptions(), seed: 11);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.NormalizedCut, b.NormalizedCut);
    }

    [Fact]
    public void The_restart_with_the_lowest_normalized_cut_wins()
    {
        // Weak structure and more clusters than were planted, so that restarts end in different local optima and the
        // lowest inertia is not the lowest cut.
        var (graph, _) = Planted([40, 50, 60, 70, 80], seed: 3, inside: 0.3, across: 1.0);
        SpectralOptions With(int restarts, RestartSelection selection) => new() { Restarts = restarts, Selection = selection };
        double Cut(int restarts, RestartSelection selection) =>
            SpectralPartitioner.Partition(graph, 7, With(restarts, selection), seed: 2).NormalizedCut;
        // One restart: nothing to choose between.
        Assert.Equal(Cut(1, RestartSelection.Inertia), Cut(1, RestartSelection.NormalizedCut));
        // Restarts 0..2 are among restarts 0..19 (each restart's seed depends on its index only), so more cannot cut more.
        Assert.True(Cut(20, RestartSelection.NormalizedCut) <= Cut(3, RestartSelection.NormalizedCut));
        // The inertia winner is one of the candidates, so choosing by the cut is never worse; here it is better.
        Assert.True(Cut(20, RestartSelection.NormalizedCut) < Cut(20, RestartSelection.Inertia),
            $"{Cut(20, RestartSelection.NormalizedCut)} vs {Cut(20, RestartSelection.Inertia)}");
    }

    [Fact]
    public void Too_many_clusters_is_an_argument_error()
    {
        var (graph, _) = Planted([3, 3], seed: 7);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SpectralPartitioner.Partition(graph, 7, new SpectralOptions(), 0));
        Assert.Contains("k = 7 exceeds the 6 nodes with edges", e.Message);
    }
}
