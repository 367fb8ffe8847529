namespace Analyzer.Core.Results;

/// <summary>The clusterability JSON (docs/design.md): the weight graph's n-cut beside those of its shuffled controls;
/// labels per node in canonical order, -1 for nodes without edges; <c>Reading</c>: what z and the percentile mean, in words.</summary>
public sealed record ClusterabilityDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, int K, double Ncut,
    IReadOnlyList<int> Labels, string Shuffle, IReadOnlyList<double> ShuffledNcuts, double? Z, double Percentile, string? Reading = null);
