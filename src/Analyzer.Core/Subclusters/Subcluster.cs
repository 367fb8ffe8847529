namespace Analyzer.Core.Subclusters;

/// <summary>The valid units of one hidden node set that share a cluster label (docs/method.md §5).</summary>
public sealed record Subcluster(int NodeSet, string Layer, int Cluster, int[] Units);

/// <summary>A subcluster left out of the analysis, and why.</summary>
public sealed record SkippedSubcluster(string Layer, int Cluster, int Size, string Reason);

/// <summary>A subcluster with its random controls: same layer, same size, drawn from the layer's valid units.</summary>
public sealed record ControlledSubcluster(Subcluster Subcluster, IReadOnlyList<int[]> Controls);
