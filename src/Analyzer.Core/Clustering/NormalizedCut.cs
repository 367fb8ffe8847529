using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Normalized cut of a partition (Shi and Malik 2000): sum over clusters c of cut(c, V \ c) / vol(c), with vol(c) the
/// summed degree of c's nodes. Nodes labelled -1 are left out, along with their edges.
/// </summary>
public static class NormalizedCut
{
    public static double Compute(WeightedGraph graph, int[] labels) => ComputeAll(graph, [labels])[0];

    /// <summary>The cut of each labelling (every k-means restart's), the graph read once for all where it can be.</summary>
    public static double[] ComputeAll(WeightedGraph graph, IReadOnlyList<int[]> labelings)
    {
        foreach (var labels in labelings)
            if (labels.Length != graph.N)
                throw new ArgumentException($"{labels.Length} labels for a graph of {graph.N} nodes", nameof(labelings));
        var clusters = labelings.Select(labels => labels.Max() + 1).ToArray();
        var volumes = clusters.Select(c => new double[c]).ToArray();
        var withins = clusters.Select(c => new double[c]).ToArray();
        graph.AddLabelSums(labelings, volumes, withins);
        return volumes.Select((volume, l) =>
        {
            double ncut = 0;
            for (int c = 0; c < volume.Length; c++)
                if (volume[c] > 0) ncut += (volume[c] - withins[l][c]) / volume[c];
            return ncut;
        }).ToArray();
    }
}
