using Analyzer.Core.Errors;

namespace Analyzer.Core.Clustering;

/// <summary>Network-wide: one graph for all neurons; layer-wise: each layer clustered on its own (docs/method.md §4).</summary>
public enum ClusteringScope
{
    Network,
    Layer,
}

/// <summary>The names of <see cref="ClusteringScope"/> in files and on the command line.</summary>
public static class ClusteringScopes
{
    public static readonly IReadOnlyList<ClusteringScope> All = [ClusteringScope.Network, ClusteringScope.Layer];

    public static string Name(this ClusteringScope scope) => Choices.Kebab(scope.ToString());

    public static IReadOnlyList<ClusteringScope> ParseList(string? list, string setting = "Scopes") => Choices.ParseList(setting, list, All, Name);
}
