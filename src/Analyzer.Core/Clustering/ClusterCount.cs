using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Core.Networks;

namespace Analyzer.Core.Clustering;

/// <summary>The number of clusters k (docs/method.md §4): 16 for MNIST/CIFAR-scale networks, 32 for ImageNet-scale
/// inputs, and between 2 and the graph's connected nodes whoever chooses it.</summary>
public static class ClusterCount
{
    public const int Small = 16, Large = 32;

    /// <summary>Inputs of this many values per example or more are ImageNet-scale.</summary>
    public const long LargeInput = 100_000;

    /// <summary>The default k, and how it is chosen (the command line's help).</summary>
    public static readonly string Rule = $"default {Small}, or {Large} for ImageNet-scale inputs";

    public static int Default(ModelNetwork network)
    {
        var input = network.Graph.Inputs[0];
        long elements = network.Shapes.ShapeOf(input.Name).Skip(1).Aggregate(1L, (a, d) => a * d);
        return elements >= LargeInput ? Large : Small;
    }

    /// <summary>k as asked (<paramref name="requested"/>, or the default), checked against the graph's connected nodes; a
    /// default larger than a small model's connected nodes is lowered to them.</summary>
    public static int Resolve(int? requested, ModelNetwork network, WeightedGraph graph)
    {
        int valid = graph.Degrees().Count(d => d > 0);
        int k = requested ?? Math.Min(Default(network), Math.Max(2, valid));
        if (k < 2 || k > valid)
            throw new UsageException("K", $"{k} clusters cannot be formed from {valid} connected nodes; use 2 to {valid}");
        return k;
    }
}
