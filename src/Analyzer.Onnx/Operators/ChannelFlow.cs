namespace Analyzer.Onnx.Operators;

/// <summary>
/// How an operator passes the units (channels, features) of its data inputs on to its outputs: what the neuron tracer
/// (Analyzer.Core's NetworkTracer) and the pre-activation finder do at the operator (docs/method.md §2-3). The tracer
/// implements each kind once; an operator says which kind it is.
/// </summary>
public enum ChannelFlow
{
    /// <summary>Computes shapes or constants only (Shape, Constant, Range, ...); never on a data path.</summary>
    ShapeOnly,

    /// <summary>A layer with weights (Conv, Gemm, MatMul by a constant matrix): its inputs are a node set's units.</summary>
    Layer,

    /// <summary>An elementwise non-linearity: units keep their origins and are now past a non-linearity; the input of
    /// the last one before a node set is its pre-activation.</summary>
    Activation,

    /// <summary>Keeps every unit and scales it by a positive homogeneous map or not at all (pooling, padding, dropout,
    /// identity, casts): BatchNorm scales fold through it.</summary>
    Transparent,

    /// <summary>Reorders elements (Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile): followed element
    /// by element.</summary>
    Rearrange,

    /// <summary>Selects elements (Slice, Split, Gather by constant indices, Concat).</summary>
    Select,

    /// <summary>Per-channel constant scale and shift (inference BatchNormalization).</summary>
    Scale,

    /// <summary>Elementwise arithmetic whose meaning depends on its operands: with a constant, a shift (Add, Sub) or a
    /// scale (Mul, Div) or a power (Pow); between activations, a sum (Add, Sub, Sum, Mean: a merge of origins) or a
    /// product (Mul, Div, Max, Min: a gate, which is a non-linearity).</summary>
    Elementwise,

    /// <summary>A reduction (ReduceMean, ReduceSum, ...): over axes along which every unit is uniform it passes units
    /// on like pooling; across units it yields a statistic with no units of its own.</summary>
    Reduce,

    /// <summary>Normalisation across units followed by a per-unit affine map (LayerNormalization, GroupNormalization,
    /// InstanceNormalization): the normalisation is a non-linearity, the scale folds into the reader.</summary>
    Normalize,

    /// <summary>Produces values with no units of their own (attention scores, arg-max, comparisons on activations).</summary>
    Opaque,
}
