using Analyzer.Core.Errors;

namespace Analyzer.Core.Graphs;

/// <summary>What the edges of a neuron graph measure (docs/method.md §2-3): |weights| between connected units, needing no
/// data; or the squared Spearman correlation of pre-activations over examples of the data.</summary>
public enum EdgeKind
{
    Weights,
    Activations,
}

/// <summary>The names of <see cref="EdgeKind"/> in files and on the command line.</summary>
public static class EdgeKinds
{
    public static readonly IReadOnlyList<EdgeKind> All = [EdgeKind.Weights, EdgeKind.Activations];

    public static string Name(this EdgeKind kind) => Choices.Kebab(kind.ToString());

    /// <summary>The kinds a comma-separated list names; anything else is a usage error of <paramref name="setting"/>.</summary>
    public static IReadOnlyList<EdgeKind> ParseList(string? list, string setting = "Edges") => Choices.ParseList(setting, list, All, Name);
}
