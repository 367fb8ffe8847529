namespace Analyzer.Core.Graphs;

/// <summary>The layers of a model in graph order, and the origins of its graph outputs' channels.</summary>
public sealed record NetworkTrace(IReadOnlyList<TracedLayer> Layers, IReadOnlyList<(string Name, ChannelOrigin[] Units)> Outputs, string InputName)
{
    public bool IsConvolutional => Layers.Any(l => l.Op == "Conv");
}
