namespace Analyzer.Core.Clustering;

/// <summary>The cluster labels of one node set's units (-1: invalid), with the n-cut of the graph they came from.</summary>
public sealed record LayerLabels(string Name, int NodeSet, int[] Labels, int Clusters, double NormalizedCut);

/// <summary>
/// A partitioning of a network's neurons in one scope: labels per node set. <c>EigenConverged</c> is false when an
/// eigensolver behind it stopped at its cycle limit with residuals above the tolerance (the largest is
/// <c>EigenResidual</c>): the labels then come from vectors that are not the graph's eigenvectors.
/// </summary>
public sealed record NetworkPartitioning(ClusteringScope Scope, int K, double NormalizedCut, int InvalidCount, IReadOnlyList<LayerLabels> Layers,
    double EigenResidual = 0, bool EigenConverged = true);
