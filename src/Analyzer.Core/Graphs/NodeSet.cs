namespace Analyzer.Core.Graphs;

/// <summary>Whether a node set holds the network's inputs, hidden units (analysed) or outputs (docs/method.md §1).</summary>
public enum NodeSetKind
{
    Input,
    Hidden,
    Output,
}

/// <summary>
/// A set of neurons: an MLP layer's units, or a CNN layer's input channels (docs/method.md §1). Its nodes occupy
/// [<see cref="Offset"/>, <see cref="Offset"/> + <see cref="Units"/>) in canonical order.
/// </summary>
/// <param name="Name">The layer it is named after: the producing layer (MLP) or the reading layer (CNN).</param>
/// <param name="Op">That layer's ONNX operator ("Input" for the MLP input).</param>
/// <param name="ReaderLayer">Index of the layer that reads these units, or -1 for the MLP output units.</param>
/// <param name="UnitOrigins">Where each unit's values come from.</param>
public sealed record NodeSet(
    int Index,
    string Name,
    NodeSetKind Kind,
    string Op,
    int Units,
    int Offset,
    int ReaderLayer,
    ChannelOrigin[] UnitOrigins)
{
    /// <summary>Hidden node sets are the ones whose subclusters are analysed.</summary>
    public bool Analysed => Kind == NodeSetKind.Hidden;

    /// <summary>The layers whose output units these are, in layer order: one for a chain, several after a residual Add,
    /// none for the model input.</summary>
    public IReadOnlyList<int> ProducingLayers() =>
        UnitOrigins.SelectMany(o => o.Terms).Where(t => t.Layer >= 0).Select(t => t.Layer).Distinct().Order().ToArray();
}
