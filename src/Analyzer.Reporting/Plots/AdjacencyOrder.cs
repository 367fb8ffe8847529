using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Reporting.Plots;

/// <summary>Where each node of a graph is drawn when its adjacency is sorted by cluster: network scope by label (then
/// node), layer scope by layer, then label; nodes without a label (invalid, or outside the analysed layers) are left out.</summary>
public static class AdjacencyOrder
{
    public static int[] Positions(GraphLayout layout, NetworkPartitioning partitioning)
    {
        var keyed = new List<(int Node, long Key)>();
        var setIndex = layout.Sets.Select((s, i) => (s.Index, i)).ToDictionary(p => p.Index, p => p.i);
        foreach (var layer in partitioning.Layers)
        {
            if (!setIndex.TryGetValue(layer.NodeSet, out int i)) continue;
            for (int u = 0; u < layer.Labels.Length; u++)
            {
                if (layer.Labels[u] < 0) continue;
                int node = layout.Offsets[i] + u;
                long group = partitioning.Scope == ClusteringScope.Network ? layer.Labels[u] : (long)i << 20 | (uint)layer.Labels[u];
                keyed.Add((node, group));
            }
        }
        var position = Enumerable.Repeat(-1, layout.NodeCount).ToArray();
        int next = 0;
        foreach (var (node, _) in keyed.OrderBy(k => k.Key).ThenBy(k => k.Node)) position[node] = next++;
        return position;
    }
}
