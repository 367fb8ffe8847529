namespace Analyzer.Core.Graphs;

/// <summary>The layers of a model in graph order, and the origins of its graph outputs' channels.</summary>
/// <param name="HasAttention">Whether the model multiplies two activations (attention): a transformer
/// (docs/method.md §1).</param>
public sealed record NetworkTrace(IReadOnlyList<TracedLayer> Layers, IReadOnlyList<(string Name, ChannelOrigin[] Units)> Outputs, string InputName,
    bool HasAttention = false)
{
    public bool IsConvolutional => Layers.Any(l => l.Convolution);
}
