namespace Analyzer.Core.Graphs;

/// <summary>
/// One contribution to a tensor channel: output unit <see cref="Unit"/> of layer <see cref="Layer"/> (-1: element
/// <see cref="Unit"/> of the model input), multiplied by <see cref="OutScale"/>, the BatchNorm/constant scales met before
/// any non-linearity (METHOD.md 2: folded into the producing layer's output channel).
/// </summary>
public readonly record struct OriginTerm(int Layer, int Unit, double OutScale, bool AfterNonlinearity);

/// <summary>
/// Where the values of one channel of a tensor come from: the sum of its <see cref="Terms"/> (several after an Add, as in a
/// ResNet block) times <see cref="InScale"/>, the scales met after a non-linearity, which fold into the reading layer's
/// input channel (METHOD.md 2).
/// </summary>
public sealed record ChannelOrigin(OriginTerm[] Terms, double InScale)
{
    public bool FromModelInput => Terms.All(t => t.Layer < 0);
}
