using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Clusters a network's graph in either scope (docs/method.md §4). Network-wide: one partition, split per node set. Layer-wise
/// (weights): each hidden node set with its neighbouring node sets, only the edges that touch it, k_l = the number of
/// distinct network-wide labels in it; its own labels are kept.
/// </summary>
public static class NetworkClustering
{
    public static NetworkPartitioning Network(NeuronGraph neurons, WeightedGraph graph, int k, SpectralOptions options, int seed) =>
        Network(GraphLayout.Of(neurons), graph, k, options, seed);

    /// <summary>Network-wide partition of a graph whose nodes are laid out as <paramref name="layout"/> says.</summary>
    public static NetworkPartitioning Network(GraphLayout layout, WeightedGraph graph, int k, SpectralOptions options, int seed)
    {
        var partition = SpectralPartitioner.Partition(graph, k, options, seed);
        var layers = layout.Sets.Select((s, i) =>
        {
            var labels = partition.Labels[layout.Offsets[i]..(layout.Offsets[i] + s.Units)];
            return new LayerLabels(s.Name, s.Index, labels, labels.Where(l => l >= 0).Distinct().Count(), partition.NormalizedCut);
        }).ToList();
        return new NetworkPartitioning(ClusteringScope.Network, k, partition.NormalizedCut, partition.InvalidCount, layers,
            partition.EigenResidual, partition.EigenConverged);
    }

    /// <summary>
    /// Layer-wise scope for activation graphs (docs/method.md §4): each analysed layer's own within-layer graph, clustered
    /// with k_l = the number of distinct labels the layer has in the network-wide activation partitioning.
    /// </summary>
    public static NetworkPartitioning LayerwiseWithin(NeuronGraph neurons, NetworkPartitioning network,
        Func<NodeSet, WeightedGraph> layerGraph, SpectralOptions options, int seed, Action<string>? progress = null)
    {
        var result = new List<LayerLabels>();
        int invalid = 0;
        double ncutSum = 0;
        var eigen = (Residual: network.EigenResidual, Converged: network.EigenConverged);
        foreach (var layer in network.Layers)
        {
            var set = neurons.NodeSets[layer.NodeSet];
            if (!set.Analysed) continue;
            progress?.Invoke(set.Name);
            var graph = layerGraph(set);
            int valid = graph.Degrees().Count(d => d > 0);
            int[] labels;
            double ncut = 0;
            if (layer.Clusters <= 0 || valid == 0)
                labels = Enumerable.Repeat(-1, set.Units).ToArray();
            else
            {
                var partition = SpectralPartitioner.Partition(graph, Math.Min(layer.Clusters, valid), options, seed);
                eigen = (Math.Max(eigen.Residual, partition.EigenResidual), eigen.Converged && partition.EigenConverged);
                labels = partition.Labels;
                ncut = partition.NormalizedCut;
            }
            int clusters = SpectralPartitioner.Renumber(labels);
            invalid += labels.Count(l => l < 0);
            ncutSum += ncut;
            result.Add(new LayerLabels(set.Name, set.Index, labels, clusters, ncut));
        }
        // No single graph holds every layer here: report the sum of the layers' own cuts.
        return new NetworkPartitioning(ClusteringScope.Layer, network.K, ncutSum, invalid, result, eigen.Residual, eigen.Converged);
    }

    /// <param name="network">The network-wide partitioning of the same graph, which sets each layer's k.</param>
    public static NetworkPartitioning Layerwise(NeuronGraph neurons, WeightedGraph graph, NetworkPartitioning network,
        SpectralOptions options, int seed, Action<string>? progress = null)
    {
        var result = new List<LayerLabels>();
        int invalid = 0;
        var eigen = (Residual: network.EigenResidual, Converged: network.EigenConverged);
        foreach (var set in neurons.NodeSets.Where(s => s.Analysed))
        {
            progress?.Invoke(set.Name);
            int kl = network.Layers[set.Index].Clusters;
            var nodes = Enumerable.Range(set.Offset, set.Units).ToList();
            var neighbours = neurons.NodeSets
                .Where(o => o.Index != set.Index && HasEdges(graph, set, o))
                .SelectMany(o => Enumerable.Range(o.Offset, o.Units))
                .ToList();
            // Keep only the edges that touch this layer.
            int own = nodes.Count;
            var local = graph.Subgraph([.. nodes, .. neighbours], (i, j) => i < own || j < own);
            int[] labels;
            double ncut;
            var degrees = local.Degrees();
            int validOwn = Enumerable.Range(0, own).Count(i => degrees[i] > 0);
            if (kl <= 0 || validOwn == 0)
            {
                labels = Enumerable.Repeat(-1, own).ToArray();
                ncut = 0;
            }
            else
            {
                var partition = SpectralPartitioner.Partition(local, Math.Min(kl, degrees.Count(d => d > 0)), options, seed);
                eigen = (Math.Max(eigen.Residual, partition.EigenResidual), eigen.Converged && partition.EigenConverged);
                labels = partition.Labels[..own];
                ncut = partition.NormalizedCut;
            }
            int clusters = SpectralPartitioner.Renumber(labels);
            invalid += labels.Count(l => l < 0);
            result.Add(new LayerLabels(set.Name, set.Index, labels, clusters, ncut));
        }
        // The layers' clusters joined into one labelling of the whole graph would cut every edge (no edges lie within
        // a layer), so its n-cut is always the number of clusters: report the sum of the layers' own cuts instead.
        return new NetworkPartitioning(ClusteringScope.Layer, network.K, result.Sum(l => l.NormalizedCut), invalid, result,
            eigen.Residual, eigen.Converged);
    }

    private static bool HasEdges(WeightedGraph graph, NodeSet a, NodeSet b) => graph.HasEdges(a.Offset, a.Units, b.Offset, b.Units);
}
