using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Normalized cut of a partition (Shi and Malik 2000): sum over clusters c of cut(c, V \ c) / vol(c), with vol(c) the
/// summed degree of c's nodes. Nodes labelled -1 are left out, along with their edges.
/// </summary>
public static class NormalizedCut
{
    public static double Compute(WeightedGraph graph, int[] labels)
    {
        if (labels.Length != graph.N)
            throw new ArgumentException($"{labels.Length} labels for a graph of {graph.N} nodes", nameof(labels));
        int clusters = labels.Max() + 1;
        var volume = new double[clusters];
        var within = new double[clusters];
        graph.AddLabelSums(labels, volume, within);
        double ncut = 0;
        for (int c = 0; c < clusters; c++)
            if (volume[c] > 0) ncut += (volume[c] - within[c]) / volume[c];
        return ncut;
    }
}
