using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Normalized cut of a partition (Shi and Malik 2000): sum over clusters c of cut(c, V \ c) / vol(c), with vol(c) the
/// summed degree of c's nodes. Nodes labelled -1 are left out, along with their edges.
/// </summary>
public static class NormalizedCut
{
    public static double Compute(DenseGraph graph, int[] labels)
    {
        if (labels.Length != graph.N)
            throw new ArgumentException($"{labels.Length} labels for a graph of {graph.N} nodes", nameof(labels));
        int clusters = labels.Max() + 1;
        var volume = new double[clusters];
        var within = new double[clusters];
        int n = graph.N;
        for (int i = 0; i < n; i++)
        {
            int li = labels[i];
            if (li < 0) continue;
            var row = graph.Adjacency.AsSpan(i * n, n);
            for (int j = 0; j < n; j++)
            {
                int lj = labels[j];
                if (lj < 0) continue;
                volume[li] += row[j];
                if (lj == li) within[li] += row[j];
            }
        }
        double ncut = 0;
        for (int c = 0; c < clusters; c++)
            if (volume[c] > 0) ncut += (volume[c] - within[c]) / volume[c];
        return ncut;
    }
}
