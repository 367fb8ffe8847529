namespace Analyzer.Core.Clustering;

/// <summary>What k-means does after Lloyd's iterations reach a fixed point.</summary>
public enum KMeansRefinement
{
    /// <summary>Nothing: Lloyd's algorithm alone, as scikit-learn's KMeans (and so the paper's code).</summary>
    None,

    /// <summary>
    /// Hartigan and Wong's single-point moves until no move lowers the inertia. Each restart ends at a lower (never
    /// higher) inertia than Lloyd's fixed point; on the Fashion-MNIST MLP's weight graph (k = 16, 25 restarts, seeds
    /// 0-4) the mean normalized cut drops from 13.62 to 13.59. Default: it optimises the same objective better.
    /// </summary>
    Hartigan,
}
