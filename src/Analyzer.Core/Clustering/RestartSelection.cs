namespace Analyzer.Core.Clustering;

/// <summary>Which of the k-means restarts labels the graph (docs/method.md §4).</summary>
public enum RestartSelection
{
    /// <summary>The labels with the lowest normalized cut of the graph: the objective the clustering stands for.
    /// k-means' inertia is only its proxy, and a lower inertia can come with a higher cut.</summary>
    NormalizedCut,

    /// <summary>The labels with the lowest k-means inertia, as scikit-learn's KMeans chooses (and so the paper's code).</summary>
    Inertia,
}
