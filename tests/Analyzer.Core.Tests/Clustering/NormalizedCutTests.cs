using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Clustering;

public class NormalizedCutTests
{
    [Fact]
    public void Matches_a_hand_computed_cut()
    {
        // Path 0 -1- 1 -2- 2 -3- 3 with clusters {0,1} and {2,3}: cut = 2; vol{0,1} = 1 + 3 = 4; vol{2,3} = 5 + 3 = 8.
        var a = new double[16];
        void Edge(int i, int j, double w) { a[i * 4 + j] = w; a[j * 4 + i] = w; }
        Edge(0, 1, 1);
        Edge(1, 2, 2);
        Edge(2, 3, 3);
        Assert.Equal(2.0 / 4 + 2.0 / 8, NormalizedCut.Compute(new DenseGraph(4, a), [0, 0, 1, 1]), 15);
    }

    [Fact]
    public void Ignores_invalid_nodes_and_their_edges()
    {
        var a = new double[9];
        a[1] = a[3] = 5; // 0-1 weight 5
        a[5] = a[7] = 1; // 1-2 weight 1
        Assert.Equal(0, NormalizedCut.Compute(new DenseGraph(3, a), [0, 0, -1]), 15);
    }

    [Fact]
    public void Does_not_change_when_nodes_are_relabelled_consistently()
    {
        var (graph, truth) = SpectralPartitionerTests.Planted([20, 30, 25], seed: 9, across: 0.3);
        var labels = truth.Select(t => (t * 2 + 1) % 3).ToArray();
        Assert.Equal(NormalizedCut.Compute(graph, truth), NormalizedCut.Compute(graph, labels), 12);
    }
}
