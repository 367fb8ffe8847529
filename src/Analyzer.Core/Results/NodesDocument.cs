using Analyzer.Core.Graphs;

namespace Analyzer.Core.Results;

/// <summary>One node set in nodes.json and `inspect --json`. <paramref name="ProducedBy"/> (inspect only): the layers whose
/// outputs the units are, since a CNN node set is named after the layer that reads it (docs/method.md §1).</summary>
public sealed record NodeSetEntry(string Name, string Kind, string Op, int Units, int Offset, IReadOnlyList<string>? ProducedBy = null)
{
    /// <summary>The node sets a graph holds, at their offsets in it.</summary>
    public static IReadOnlyList<NodeSetEntry> Of(GraphLayout layout) =>
        layout.Sets.Select((s, i) => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, layout.Offsets[i])).ToList();
}

/// <summary>nodes.json: the node sets in canonical order and the invalid nodes (docs/design.md). Like every file, it names
/// the model, its sha256, the analyzer version and the seed.</summary>
public sealed record NodesDocument(string Model, string ModelSha256, string AnalyzerVersion, int Seed, string Edges, int N,
    IReadOnlyList<NodeSetEntry> Layers, IReadOnlyList<int> Invalid);
