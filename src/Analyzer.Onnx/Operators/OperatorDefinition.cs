using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Operators;

/// <summary>Infers the output shapes of one node (and folds its value when every input is constant).</summary>
internal delegate void ShapeRule(ShapeContext context);

/// <summary>The vector-Jacobian product of one node as ONNX nodes: for each dependent input, its gradient.</summary>
internal delegate IEnumerable<(string Tensor, string Gradient)> GradientRule(GradientContext context);

/// <summary>The function an elementwise node computes of its operands (one for unary operators), for evaluating
/// gates (docs/method.md §2).</summary>
internal delegate double ScalarRule(OnnxNode node, double[] operands);

/// <summary>The constant per-unit scale a Scale or Normalize node applies to its data input.</summary>
internal delegate UnitScale ScaleRule(OnnxNode node, InferredShapes shapes);

/// <summary>The axes a Reduce, Normalize or Select node works along (normalised to be non-negative).</summary>
internal delegate int[] AxesRule(OnnxNode node, InferredShapes shapes);

/// <summary>For each element of output <c>output</c> of a Rearrange or Select node, the flat index of its source element
/// in the node's present inputs laid end to end (input 0's elements first); null when the elements keep their order.</summary>
internal delegate long[]? IndexRule(OnnxNode node, InferredShapes shapes, int output);

/// <summary>A layer's weights aggregated per input unit (see <see cref="LayerWeights"/>).</summary>
internal delegate LayerWeights WeightsRule(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units);

/// <summary>
/// Everything Analyzer knows about one ONNX operator, in one place: how it infers shapes, how units pass through it
/// for tracing (<see cref="ChannelFlow"/> with the details a flow needs: scales, axes, weights), and its gradient for
/// feature visualisation (or the reason it has none). The registry (<see cref="OperatorRegistry"/>) holds one per
/// operator; the operator families of this folder define them.
/// </summary>
public sealed class OperatorDefinition
{
    internal OperatorDefinition(string name, ChannelFlow flow, ShapeRule shapes, GradientRule? gradient, string? gradientGap,
        ScalarRule? scalar, ScaleRule? scales, AxesRule? axes, WeightsRule? weights, IndexRule? indices, OperatorTraits? traits)
    {
        Traits = traits ?? OperatorTraits.None;
        Name = name;
        Flow = flow;
        Shapes = shapes;
        Gradient = gradient;
        GradientGap = gradient is null ? gradientGap ?? "no vector-Jacobian product is defined for it" : null;
        ScalarFunction = scalar;
        ScaleFunction = scales;
        AxesFunction = axes;
        WeightsFunction = weights;
        IndexFunction = indices;
    }

    public string Name { get; }
    public ChannelFlow Flow { get; }

    /// <summary>What else the pipeline needs to know of the operator (<see cref="OperatorTraits"/>).</summary>
    public OperatorTraits Traits { get; }
    internal ShapeRule Shapes { get; }
    internal GradientRule? Gradient { get; }
    internal ScalarRule? ScalarFunction { get; }
    internal ScaleRule? ScaleFunction { get; }
    internal AxesRule? AxesFunction { get; }
    internal WeightsRule? WeightsFunction { get; }
    internal IndexRule? IndexFunction { get; }

    /// <summary>Why feature visualisation cannot differentiate the operator; null when it can.</summary>
    public string? GradientGap { get; }

    public bool Differentiable => Gradient is not null;

    /// <summary>Whether <see cref="Weights"/> is available (a layer with weights, as opposed to a product of activations).</summary>
    public bool HasWeights => WeightsFunction is not null;

    /// <summary>Whether <see cref="Evaluate"/> is available (elementwise operators).</summary>
    public bool HasScalarFunction => ScalarFunction is not null;

    /// <summary>The node's elementwise function of its operands (input order).</summary>
    public double Evaluate(OnnxNode node, params double[] operands) =>
        (ScalarFunction ?? throw new InvalidOperationException($"{Name} has no scalar function"))(node, operands);

    /// <summary>The constant scale a <see cref="ChannelFlow.Scale"/> or <see cref="ChannelFlow.Normalize"/> node
    /// applies after its (normalisation and) shift.</summary>
    public UnitScale Scales(OnnxNode node, InferredShapes shapes) =>
        (ScaleFunction ?? throw new InvalidOperationException($"{Name} has no scales"))(node, shapes);

    /// <summary>The axes of a <see cref="ChannelFlow.Reduce"/>, <see cref="ChannelFlow.Normalize"/> or
    /// <see cref="ChannelFlow.Select"/> node, non-negative.</summary>
    public int[] Axes(OnnxNode node, InferredShapes shapes) =>
        (AxesFunction ?? throw new InvalidOperationException($"{Name} has no axes"))(node, shapes);

    /// <summary>For a <see cref="ChannelFlow.Rearrange"/> or <see cref="ChannelFlow.Select"/> node: for each element of
    /// output <paramref name="output"/> (one example), the flat index of its source among the elements of the node's
    /// present inputs laid end to end; null when the elements keep their order (reshapes).</summary>
    public long[]? SourceIndex(OnnxNode node, InferredShapes shapes, int output = 0) => IndexFunction?.Invoke(node, shapes, output);

    /// <summary>For each output axis of a permuting node (Transpose), the input axis it comes from; null for others.</summary>
    public int[]? Permutation(OnnxNode node, int rank) => Traits.Permutation?.Invoke(node, rank);

    /// <summary>Why a <see cref="ChannelFlow.Layer"/> node cannot be traced, or null when it can.</summary>
    public string? LayerRefusal(OnnxNode node) => Traits.LayerRefusal?.Invoke(node);

    /// <summary>A dense layer's constant weights as W'[<paramref name="features"/> x <paramref name="outputs"/>] with its
    /// scales folded in; null when the node is not such a layer.</summary>
    public float[]? DenseMatrix(OnnxNode node, InferredShapes shapes, int features, int outputs) =>
        Traits.DenseMatrix?.Invoke(node, shapes, features, outputs);

    /// <summary>What a dense layer adds to its <paramref name="outputs"/> outputs as one constant vector; null when the
    /// node is not such a layer or its addend is not one.</summary>
    public float[]? DenseBias(OnnxNode node, InferredShapes shapes, int outputs) => Traits.DenseBias?.Invoke(node, shapes, outputs);

    /// <summary>Whether the layer reads its own units of the previous step (LSTM, GRU, RNN).</summary>
    public bool IsRecurrent => Traits.RecurrentWeights is not null;

    /// <summary>A recurrent layer's weights from its own units, [outputs x outputs], absolute.</summary>
    public double[] RecurrentWeights(OnnxNode node, InferredShapes shapes) =>
        (Traits.RecurrentWeights ?? throw new InvalidOperationException($"{Name} is not recurrent"))(node, shapes);

    /// <summary>For each element of output <paramref name="output"/> of one example, its unit; null when the units lie on
    /// the output's unit axis.</summary>
    public int[]? OutputUnits(OnnxNode node, int output, long[] shape) => Traits.OutputUnits?.Invoke(node, output, shape);

    /// <summary>A plain conv's constant kernel and geometry; null when the node is not such a conv.</summary>
    public ConvKernel? ConvKernel(OnnxNode node, InferredShapes shapes) => Traits.ConvKernel?.Invoke(node, shapes);

    /// <summary>A plain 2-D max-pool's window; null when the node is not such a pool.</summary>
    public PoolWindow? MaxWindow(OnnxNode node) => Traits.MaxWindow?.Invoke(node);

    /// <summary>A <see cref="ChannelFlow.Layer"/> node's weights per output and input unit; input feature f (along the
    /// unit axis) belongs to unit <paramref name="featureUnits"/>[f] of <paramref name="units"/>.</summary>
    public LayerWeights Weights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units) =>
        (WeightsFunction ?? throw new InvalidOperationException($"{Name} has no weights"))(node, shapes, featureUnits, units);
}

/// <summary>
/// A constant that multiplies a data tensor elementwise, with numpy broadcasting (right-aligned shapes):
/// BatchNorm's γ/√(σ² + ε) as [C, 1, 1], LayerNorm's γ as [D], a scalar as [].
/// </summary>
public sealed record UnitScale(long[] Shape, double[] Values);

/// <summary>
/// A layer's weights joining its input units to its outputs (docs/method.md §2): [<see cref="Outputs"/> x units],
/// row-major. Conv: the entrywise L1 norm of each kernel slice |K[j, i, ...]| summed over the channels of unit i
/// (within the group; 0 across groups). Dense: W[j, f] summed over the features f of unit i, times alpha;
/// <see cref="Signed"/> says whether the values keep their signs (dense) or are already absolute (conv).
/// </summary>
/// <param name="UnitAxis">Axis of the data input that holds the units: 1 for conv, the last axis for dense layers.</param>
public sealed record LayerWeights(int Outputs, int UnitAxis, double[] Values, bool Signed, bool Convolution);
