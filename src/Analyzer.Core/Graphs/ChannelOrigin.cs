namespace Analyzer.Core.Graphs;

/// <summary>
/// One contribution to a tensor channel: output unit <see cref="Unit"/> of layer <see cref="Layer"/> (-1: element
/// <see cref="Unit"/> of the model input), multiplied by <see cref="OutScale"/>, the BatchNorm/constant scales met before
/// any non-linearity (docs/method.md §2: folded into the producing layer's output channel).
/// </summary>
public readonly record struct OriginTerm(int Layer, int Unit, double OutScale, bool AfterNonlinearity);

/// <summary>
/// Where the values of one channel of a tensor come from: the sum of its <see cref="Terms"/> (several after an Add, as in a
/// ResNet block) times <see cref="InScale"/>, the scales met after a non-linearity, which fold into the reading layer's
/// input channel (docs/method.md §2). No terms: the values come from no unit at all (constants, attention, statistics of
/// a normalisation). <see cref="Activated"/>: the last thing done to the unit was an elementwise non-linearity (a
/// privileged basis; transformers' node sets are such units, docs/method.md §1).
/// </summary>
public sealed record ChannelOrigin(OriginTerm[] Terms, double InScale, bool Activated = false)
{
    /// <summary>Values that come from no unit.</summary>
    public static readonly ChannelOrigin None = new([], 1.0);

    public bool FromModelInput => Terms.Length > 0 && Terms.All(t => t.Layer < 0);
    public bool IsNone => Terms.Length == 0;

    /// <summary>Value equality (records compare arrays by reference).</summary>
    public bool SameAs(ChannelOrigin other) =>
        ReferenceEquals(this, other) || (InScale == other.InScale && Activated == other.Activated && Terms.AsSpan().SequenceEqual(other.Terms));
}
