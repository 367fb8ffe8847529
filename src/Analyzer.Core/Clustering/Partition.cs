namespace Analyzer.Core.Clustering;

/// <summary>
/// A partition of a graph's nodes: a label per node (0..Clusters-1, numbered by each cluster's smallest node index;
/// -1 for invalid nodes), its normalized cut and the Laplacian eigenvalues used for the embedding.
/// </summary>
public sealed record Partition(int[] Labels, int K, int Clusters, double NormalizedCut, int InvalidCount, double[] Eigenvalues,
    double EigenResidual = 0, bool EigenConverged = true);
