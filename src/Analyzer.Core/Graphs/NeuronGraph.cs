namespace Analyzer.Core.Graphs;

/// <summary>Multilayer perceptron (no conv anywhere), convolutional network, or transformer (attention anywhere): they
/// define node sets differently (docs/method.md §1).</summary>
public enum NetworkKind
{
    Mlp,
    Cnn,
    Transformer,
}

/// <summary>The neurons of a model in canonical order (docs/method.md §1): node sets in layer order, units in channel order.</summary>
public sealed class NeuronGraph
{
    public NeuronGraph(NetworkKind kind, IReadOnlyList<NodeSet> nodeSets, NetworkTrace trace)
    {
        Kind = kind;
        NodeSets = nodeSets;
        Trace = trace;
        NodeCount = nodeSets.Sum(s => s.Units);
    }

    public NetworkKind Kind { get; }
    public IReadOnlyList<NodeSet> NodeSets { get; }
    public NetworkTrace Trace { get; }
    public int NodeCount { get; }

    /// <summary>The node set holding canonical node <paramref name="node"/>.</summary>
    public NodeSet NodeSetOf(int node) => NodeSets.Last(s => s.Offset <= node);
}
