using Analyzer.Core.Networks;
using Analyzer.Core.Activations;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>The partitioning of a network in either clustering scope, and the default number of clusters (docs/method.md §4).</summary>
public static class ScopedPartition
{
    /// <summary>Network scope: one spectral clustering of the whole graph. Layer scope: layer-wise weights cluster each layer
    /// with its neighbours, layer-wise activations each layer's own correlation graph; k per layer from the network-wide
    /// partition, which is computed here unless given.</summary>
    public static NetworkPartitioning Build(ModelNetwork network, GraphLayout layout, WeightedGraph graph, ActivationGraph? activations,
        string scope, int k, SpectralOptions options, int seed, Action<string>? layerDone = null, NetworkPartitioning? networkWide = null)
    {
        networkWide ??= NetworkClustering.Network(layout, graph, k, options, seed);
        if (scope == "network") return networkWide;
        layerDone ??= _ => { };
        return activations is null
            ? NetworkClustering.Layerwise(network.Neurons, graph, networkWide, options, seed, layerDone)
            : NetworkClustering.LayerwiseWithin(network.Neurons, networkWide, activations.LayerGraph, options, seed, layerDone);
    }

    /// <summary>k = 16 for MNIST/CIFAR-scale networks, 32 for ImageNet-scale inputs (100 000 values or more).</summary>
    public static int DefaultK(ModelNetwork network)
    {
        var input = network.Graph.Inputs[0];
        long elements = network.Shapes.ShapeOf(input.Name).Skip(1).Aggregate(1L, (a, d) => a * d);
        return elements >= 100_000 ? 32 : 16;
    }
}
