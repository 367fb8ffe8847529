namespace Analyzer.Core.Results;

/// <summary>One node set's labels in a clustering file; <c>ncut</c> is that of the graph the labels came from.</summary>
public sealed record ClusteringLayer(string Name, int Clusters, double Ncut, IReadOnlyList<int> Labels);

/// <summary>The clustering JSON (docs/design.md): labels per node set, -1 for invalid units; <c>warnings</c> what would make
/// them mean little (docs/method.md §7, warnings).</summary>
public sealed record ClusteringDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Edges,
    string Scope, int K, double Ncut, int Invalid, IReadOnlyList<ClusteringLayer> Layers, IReadOnlyList<WarningEntry>? Warnings = null);
