namespace Analyzer.Core.Clustering;

/// <summary>Settings of <see cref="SpectralPartitioner"/>; the defaults are docs/method.md §4's.</summary>
public sealed record SpectralOptions
{
    /// <summary>k-means restarts; null: 25 for graphs of at most 2000 nodes, else 100.</summary>
    public int? Restarts { get; init; }
    public int MaxIterations { get; init; } = 300;
    /// <summary>Refinement after Lloyd's iterations; <see cref="KMeansRefinement.None"/> reproduces scikit-learn.</summary>
    public KMeansRefinement Refinement { get; init; } = KMeansRefinement.Hartigan;
    /// <summary>Which restart wins; <see cref="RestartSelection.Inertia"/> reproduces scikit-learn.</summary>
    public RestartSelection Selection { get; init; } = RestartSelection.NormalizedCut;
    /// <summary>Residual tolerance of the eigensolver (docs/method.md §4): at 1e-6 the labels are those of 1e-9 on the
    /// MLP, ResNet-18 and GoogLeNet weight graphs, in about half the cycles.</summary>
    public double EigenTolerance { get; init; } = 1e-6;

    public int RestartsFor(int n) => Restarts ?? (n <= 2000 ? 25 : 100);
}
