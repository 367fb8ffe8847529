using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Operators;

/// <summary>What an elementwise operator does with its operands (<see cref="ChannelFlow.Elementwise"/>): with a constant,
/// a shift or a scale; between activations, a merge (sums) or a gate (products).</summary>
public enum ArithmeticKind
{
    /// <summary>Add, Sum.</summary>
    Sum,
    /// <summary>Sub.</summary>
    Difference,
    /// <summary>Mean: a sum scaled by 1/count.</summary>
    Mean,
    /// <summary>Mul.</summary>
    Product,
    /// <summary>Div.</summary>
    Quotient,
}

/// <summary>Which units an activation reads (<see cref="ChannelFlow.Activation"/>).</summary>
public enum ActivationReach
{
    /// <summary>Each unit alone (ReLU, Sigmoid, GELU, ...): its input is the unit's pre-activation.</summary>
    Pointwise,
    /// <summary>Neighbouring channels after the non-linearity (LRN): the pre-activation lies before it.</summary>
    Neighbourhood,
    /// <summary>Every unit of an axis into a distribution (Softmax, LogSoftmax): no unit's own activation.</summary>
    Distribution,
}

/// <summary>A conv's kernel [C_out, C_in, kh, kw] as float32 and its geometry attributes (pads, strides, dilations,
/// kernel_shape, auto_pad), for rebuilding the conv on a subset of its input channels.</summary>
public sealed record ConvKernel(float[] Values, long[] Shape, IReadOnlyList<(string Name, long[] Ints, string? Text)> Attributes);

/// <summary>A 2-D max-pool's window and steps, for a pool with no padding, no dilation and floor rounding: output pixel
/// (i, j) is the maximum of the window at (i·StrideHeight, j·StrideWidth).</summary>
public sealed record PoolWindow(int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth);

/// <summary>
/// What the tracer, the pre-activation walk, the lesion engine, the rewriters and the gradient builder need to know of an
/// operator beyond its <see cref="ChannelFlow"/>, so that none of them keeps a list of operator names of its own. Each
/// family file sets the traits of its operators; the defaults describe an operator with none of them.
/// </summary>
public sealed record OperatorTraits
{
    public static readonly OperatorTraits None = new();

    /// <summary>A layer whose units are the channels of feature maps (Conv), as opposed to a dense layer's features.</summary>
    public bool Convolution { get; init; }

    /// <summary>An activation ONNX Runtime's com.microsoft FusedConv applies itself, by this operator's name (its
    /// <c>activation</c> attribute, no parameters): a lesion suffix folds it into the conv that feeds it.</summary>
    public bool FusesIntoConv { get; init; }

    /// <summary>max(x, 0) elementwise: zero wherever its input is not positive, so the dense layer it feeds can skip
    /// those inputs (the lesion engine's sparse suffix).</summary>
    public bool Rectifier { get; init; }

    /// <summary>For <see cref="ChannelFlow.Elementwise"/>: what it does with its operands; null for a non-linear function
    /// of them (Pow, Max, Min, Mod).</summary>
    public ArithmeticKind? Arithmetic { get; init; }

    /// <summary>For <see cref="ChannelFlow.Activation"/>: which units it reads.</summary>
    public ActivationReach Reach { get; init; }

    /// <summary>Its outputs are probabilities: a distribution over an axis (Softmax, with <see cref="Reach"/>
    /// <see cref="ActivationReach.Distribution"/>), or each value its own (Sigmoid). A model ending in it needs no softmax
    /// of its own, and a single output of it is a probability of class 1.</summary>
    public bool Probabilities { get; init; }

    /// <summary>Only input 0 carries data; the other inputs are parameters even when computed (Pad).</summary>
    public bool SingleDataInput { get; init; }

    /// <summary>Reads a table (input 0) at indices (input 1), as an embedding lookup does (Gather): with a constant table
    /// and indices that come from the model's input (token ids), its output is the model's input as the network sees it.</summary>
    public bool LooksUp { get; init; }

    /// <summary>Joins its inputs along an axis (Concat).</summary>
    public bool Concatenates { get; init; }

    /// <summary>Its outputs depend on its input's shape only, never on its values (Shape, Size).</summary>
    public bool ReadsShapeOnly { get; init; }

    /// <summary>How many of its outputs (from the first) carry gradients; the rest are masks or indices (Dropout,
    /// MaxPool: 1). Null: all of them.</summary>
    public int? DifferentiableOutputs { get; init; }

    /// <summary>Its gradient reads the indices its forward node returns as output 1 (MaxPool).</summary>
    public bool GradientUsesIndices { get; init; }

    /// <summary>For Unsqueeze (+1) and Squeeze (-1): how each listed axis changes the rank; null for other operators.</summary>
    public int? UnsqueezesBy { get; init; }

    /// <summary>The input that is a target shape, which an exporter may have fixed to one example (Reshape: 1); -1 for none.</summary>
    public int TargetShapeInput { get; init; } = -1;

    /// <summary>The attribute naming the element type it converts to (Cast: "to"), rewritten when a model is widened.</summary>
    public string? ElementTypeAttribute { get; init; }

    /// <summary>For each output axis, the input axis it comes from (Transpose).</summary>
    internal Func<OnnxNode, int, int[]>? Permutation { get; init; }

    /// <summary>Why a layer node cannot be traced (Gemm with transA = 1 on activations), or null.</summary>
    internal Func<OnnxNode, string?>? LayerRefusal { get; init; }

    /// <summary>A dense layer's weights as W'[feature x output], float32 row-major, with every scale of the node folded
    /// in (Gemm's alpha and transB); null when they are not one constant matrix.</summary>
    internal Func<OnnxNode, InferredShapes, int, int, float[]?>? DenseMatrix { get; init; }

    /// <summary>What a dense layer adds to its outputs, as b[output] in float32 (Gemm's beta·C; zeros for a MatMul); null
    /// when that is not one constant vector.</summary>
    internal Func<OnnxNode, InferredShapes, int, float[]?>? DenseBias { get; init; }

    /// <summary>Rewrites a node of an opset-7 or -8 graph into its opset-9 form in place, for graphs written at opset 9
    /// (feature visualisation of old files), adding to the graph any constant it needs; returns why it cannot, or null.
    /// Null for operators whose form is the same.</summary>
    internal Func<Protos.GraphProto, Protos.NodeProto, string?>? RaiseToOpset9 { get; init; }

    /// <summary>A recurrent layer's weights from its own units of the previous step, [outputs x outputs] (row: the unit
    /// reached, column: the unit it reads), absolute (LSTM, GRU, RNN); null for layers without recurrence.</summary>
    internal Func<OnnxNode, InferredShapes, double[]>? RecurrentWeights { get; init; }

    /// <summary>For a layer whose outputs do not hold its units on their last axis alone (a recurrent layer's Y
    /// [T, directions, N, H]): for each element of output o (one example), its unit. Null: the units lie on the output's
    /// unit axis.</summary>
    internal Func<OnnxNode, int, long[], int[]?>? OutputUnits { get; init; }

    /// <summary>A plain (group 1, 2-D) conv's constant kernel and geometry; null otherwise.</summary>
    internal Func<OnnxNode, InferredShapes, ConvKernel?>? ConvKernel { get; init; }

    /// <summary>A 2-D max-pool's window when it has no padding, dilation, ceiling rounding or indices output; null
    /// otherwise (the lesion engine's sparse suffix runs such pools itself).</summary>
    internal Func<OnnxNode, PoolWindow?>? MaxWindow { get; init; }
}
