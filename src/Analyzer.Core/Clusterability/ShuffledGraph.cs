using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clusterability;

/// <summary>
/// A weight graph with the edge weights of each block permuted among that block's entries (docs/method.md §8): each block
/// holds the |W| of one layer between two node sets, so this is the "shuffled within each layer" network of Filan et al.
/// (2021), with each node set's size and each layer's weight distribution kept.
/// </summary>
public static class ShuffledGraph
{
    public static BlockGraph Of(BlockGraph graph, WeightShuffle mode, Random rng)
    {
        var blocks = graph.Blocks.Select(b =>
        {
            var values = (double[])b.Values.Clone();
            if (mode == WeightShuffle.All)
                rng.Shuffle(values);
            else
            {
                var positions = Enumerable.Range(0, values.Length).Where(i => values[i] != 0).ToArray();
                var nonZero = positions.Select(i => values[i]).ToArray();
                rng.Shuffle(nonZero);
                for (int i = 0; i < positions.Length; i++) values[positions[i]] = nonZero[i];
            }
            return b with { Values = values };
        });
        return new BlockGraph(graph.N, blocks);
    }
}
