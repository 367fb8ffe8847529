using Analyzer.Core.Networks;
using Analyzer.Core.Activations;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>The partitioning of a network in either clustering scope (docs/method.md §4).</summary>
public static class ScopedPartition
{
    /// <summary>Network scope: one spectral clustering of the whole graph. Layer scope: layer-wise weights cluster each layer
    /// with its neighbours, layer-wise activations each layer's own correlation graph; k per layer from the network-wide
    /// partition, which is computed here unless given.</summary>
    public static NetworkPartitioning Build(ModelNetwork network, GraphLayout layout, WeightedGraph graph, ActivationGraph? activations,
        ClusteringScope scope, int k, SpectralOptions options, int seed, Action<string>? layerDone = null, NetworkPartitioning? networkWide = null)
    {
        networkWide ??= NetworkClustering.Network(layout, graph, k, options, seed);
        if (scope == ClusteringScope.Network) return networkWide;
        layerDone ??= _ => { };
        return activations is null
            ? NetworkClustering.Layerwise(network.Neurons, graph, networkWide, options, seed, layerDone)
            : NetworkClustering.LayerwiseWithin(network.Neurons, networkWide, activations.LayerGraph, options, seed, layerDone);
    }
}
