namespace Analyzer.Core.Clusterability;

/// <summary>Which edge weights a clusterability control permutes within each block of the weight graph
/// (docs/method.md §8, clusterability).</summary>
public enum WeightShuffle
{
    /// <summary>Every entry of a block, zeros included: the sparsity pattern moves too.</summary>
    All,

    /// <summary>Only the non-zero entries, among their own positions: a pruned or block-sparse layer keeps its pattern.</summary>
    NonZero,
}
