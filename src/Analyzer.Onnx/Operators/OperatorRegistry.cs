namespace Analyzer.Onnx.Operators;

/// <summary>
/// The ONNX operators (default domain) Analyzer understands, one <see cref="OperatorDefinition"/> each, collected from
/// the operator families of this folder. Adding an operator is one entry in its family.
/// </summary>
public static class OperatorRegistry
{
    private static readonly Dictionary<string, OperatorDefinition> ByName = Build();

    private static Dictionary<string, OperatorDefinition> Build()
    {
        var all = new Dictionary<string, OperatorDefinition>(StringComparer.Ordinal);
        foreach (var definition in ConstantOperators.Definitions()
                     .Concat(ActivationOperators.Definitions())
                     .Concat(ArithmeticOperators.Definitions())
                     .Concat(ConvolutionOperators.Definitions())
                     .Concat(PoolingOperators.Definitions())
                     .Concat(ResamplingOperators.Definitions())
                     .Concat(DenseOperators.Definitions())
                     .Concat(RecurrentOperators.Definitions())
                     .Concat(NormalizationOperators.Definitions())
                     .Concat(ReductionOperators.Definitions())
                     .Concat(LayoutOperators.Definitions()))
            if (!all.TryAdd(definition.Name, definition))
                throw new InvalidOperationException($"operator {definition.Name} is defined twice");
        return all;
    }

    /// <summary>The definition of <paramref name="op"/>, or null when Analyzer does not know it.</summary>
    public static OperatorDefinition? Find(string op) => ByName.GetValueOrDefault(op);

    public static IReadOnlyCollection<OperatorDefinition> All => ByName.Values;

    /// <summary>The operators feature visualisation can differentiate, sorted by name.</summary>
    public static IReadOnlyList<string> Differentiable => ByName.Values.Where(d => d.Differentiable).Select(d => d.Name).Order(StringComparer.Ordinal).ToList();

    internal static OperatorDefinition Op(string name, ChannelFlow flow, ShapeRule shapes, GradientRule? gradient = null,
        string? gradientGap = null, ScalarRule? scalar = null, ScaleRule? scales = null, AxesRule? axes = null, WeightsRule? weights = null,
        IndexRule? indices = null, OperatorTraits? traits = null) =>
        new(name, flow, shapes, gradient, gradientGap, scalar, scales, axes, weights, indices, traits);
}
