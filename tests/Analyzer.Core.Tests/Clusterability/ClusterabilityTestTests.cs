using Analyzer.Core.Clusterability;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Tests.Clusterability;

public class ClusterabilityTestTests
{
    /// <summary>Three node sets of 20 units joined by two layers whose weights are block-diagonal: units 0-9 of each set
    /// only reach units 0-9 of the next, 10-19 only 10-19. The graph is two components, so its 2-cluster n-cut is 0.</summary>
    private static BlockGraph TwoModules(int seed)
    {
        var rng = new Random(seed);
        BlockGraph.Block Layer(int from, int to)
        {
            var values = new double[20 * 20];
            for (int i = 0; i < 20; i++)
                for (int j = 0; j < 20; j++)
                    values[i * 20 + j] = i / 10 == j / 10 ? 0.5 + rng.NextDouble() : 0;
            return new BlockGraph.Block(from, 20, to, 20, values);
        }
        return new BlockGraph(60, [Layer(0, 20), Layer(20, 40)]);
    }

    [Fact]
    public void Shuffling_permutes_each_block_and_nonzero_keeps_the_pattern()
    {
        var graph = TwoModules(1);
        foreach (var mode in new[] { WeightShuffle.All, WeightShuffle.NonZero })
        {
            var shuffled = ShuffledGraph.Of(graph, mode, new Random(7));
            for (int b = 0; b < graph.Blocks.Count; b++)
            {
                var before = graph.Blocks[b].Values;
                var after = shuffled.Blocks[b].Values;
                Assert.Equal(before.Order(), after.Order());
                Assert.NotEqual(before, after);
                if (mode == WeightShuffle.NonZero)
                    for (int i = 0; i < before.Length; i++) Assert.Equal(before[i] == 0, after[i] == 0);
            }
        }
    }

    [Fact]
    public void Modular_weights_are_more_clusterable_than_shuffled_ones()
    {
        var result = ClusterabilityTest.Run(TwoModules(2), 2, new SpectralOptions(), 10, WeightShuffle.All, seed: 0);
        Assert.True(result.NormalizedCut < 1e-9, $"ncut {result.NormalizedCut}");
        // Shuffled, half the entries of each block are non-zero at random places: the graph is connected and no 2-way
        // split comes close to free.
        Assert.All(result.ShuffledCuts, c => Assert.True(c > 0.1, $"shuffled ncut {c}"));
        Assert.Equal(0, result.Percentile);
        Assert.True(result.Z < -3, $"z {result.Z}");
        Assert.Equal(60, result.Labels.Length);
        Assert.Equal(2, result.Labels.Distinct().Count());
        // The modules: units 0-9 of every set in one cluster, units 10-19 in the other.
        Assert.All(Enumerable.Range(0, 60), n => Assert.Equal(result.Labels[n % 20 < 10 ? 0 : 10], result.Labels[n]));
    }

    [Fact]
    public void Nonzero_shuffles_of_modular_weights_stay_modular()
    {
        // The non-zero entries only move among the block-diagonal positions, so every control is two components too.
        var result = ClusterabilityTest.Run(TwoModules(3), 2, new SpectralOptions(), 5, WeightShuffle.NonZero, seed: 0);
        Assert.All(result.ShuffledCuts, c => Assert.True(c < 1e-9, $"shuffled ncut {c}"));
        Assert.Equal(50, result.Percentile);
    }

    [Fact]
    public void Z_score_and_percentile_follow_their_definitions()
    {
        double[] controls = [1, 2, 3, 4];
        Assert.Equal((1.5 - 2.5) / Math.Sqrt(5.0 / 3), ClusterabilityTest.ZScore(1.5, controls), 12);
        Assert.Equal(100.0 * (1 + 0.5) / 4, ClusterabilityTest.Percentile(2, controls));
        Assert.True(double.IsNaN(ClusterabilityTest.ZScore(1, [2, 2, 2])));
    }
}
