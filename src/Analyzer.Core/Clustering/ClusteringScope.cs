namespace Analyzer.Core.Clustering;

/// <summary>Network-wide: one graph for all neurons; layer-wise: each layer clustered on its own (docs/method.md §4).</summary>
public enum ClusteringScope
{
    Network,
    Layer,
}
