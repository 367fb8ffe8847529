using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx.Gradients;

/// <summary>
/// Appends nodes and constants to a graph under fresh names, writing each operator in the form the model's opset
/// expects (attribute or input axes, Slice before and after opset 10), with floating-point constants in the model's
/// element type so that the same code builds float32 and float64 graphs.
/// </summary>
internal sealed class GraphWriter
{
    private readonly GraphProto graph;
    private readonly string prefix;
    private int counter;

    /// <param name="dryRun">Build the nodes but leave large constants empty: for checking that a graph can be built.</param>
    public GraphWriter(GraphProto graph, long opset, int elementType, string prefix, bool dryRun = false)
    {
        this.graph = graph;
        Opset = opset;
        ElementType = elementType;
        this.prefix = prefix;
        DryRun = dryRun;
    }

    public long Opset { get; }

    /// <summary>The ONNX data type of the model's floating-point tensors (1 float32, 10 float16, 11 float64).</summary>
    public int ElementType { get; }

    public bool DryRun { get; }

    public string Fresh(string hint) => $"{prefix}{hint}_{counter++}";

    /// <summary>Adds a node with one output (a fresh name unless given) and returns the output's name.</summary>
    public string Add(string op, IEnumerable<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= Fresh(op.ToLowerInvariant());
        var node = new NodeProto { OpType = op, Name = $"{output}__node" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    public string Unary(string op, string x) => Add(op, [x]);
    public string Binary(string op, string a, string b) => Add(op, [a, b]);

    /// <summary>A floating-point constant of the model's element type.</summary>
    public string Constant(long[] shape, IReadOnlyList<double> values, string hint = "const")
    {
        string name = Fresh(hint);
        graph.Initializer.Add(FloatTensor(name, shape, values));
        return name;
    }

    /// <summary>A floating-point constant computed only when the graph is really built (not in a dry run).</summary>
    public string Constant(long[] shape, Func<float[]> values, string hint = "const")
    {
        string name = Fresh(hint);
        var t = new TensorProto { Name = name, DataType = ElementType };
        t.Dims.AddRange(shape);
        if (!DryRun) t.RawData = Raw(values());
        graph.Initializer.Add(t);
        return name;
    }

    public string Scalar(double value) => Constant([], [value], "scalar");

    public string Int64s(params long[] values) => Int64s(values, [values.Length]);

    /// <summary>An int64 constant of the given shape.</summary>
    public string Int64s(long[] values, long[] shape)
    {
        string name = Fresh("ints");
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(shape);
        t.Int64Data.AddRange(values);
        graph.Initializer.Add(t);
        return name;
    }

    /// <summary>Zero padding of <paramref name="x"/> by begin and end counts per axis (pads as an input from opset 11).</summary>
    public string Pad(string x, long[] begin, long[] end) => Opset >= 11
        ? Add("Pad", [x, Int64s([.. begin, .. end])])
        : Add("Pad", [x], null, Ints("pads", [.. begin, .. end]));

    public TensorProto FloatTensor(string name, long[] shape, IReadOnlyList<double> values)
    {
        var t = new TensorProto { Name = name, DataType = ElementType };
        t.Dims.AddRange(shape);
        if (ElementType == (int)TensorProto.Types.DataType.Double)
        {
            var bytes = new byte[values.Count * 8];
            for (int i = 0; i < values.Count; i++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
            t.RawData = ByteString.CopyFrom(bytes);
        }
        else
        {
            t.RawData = Raw(values.Select(v => (float)v).ToArray());
        }
        return t;
    }

    /// <summary>Little-endian bytes of float32 values in the model's element type.</summary>
    private ByteString Raw(float[] values)
    {
        switch (ElementType)
        {
            case (int)TensorProto.Types.DataType.Double:
            {
                var bytes = new byte[values.Length * 8];
                for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
                return ByteString.CopyFrom(bytes);
            }
            case (int)TensorProto.Types.DataType.Float16:
            {
                var bytes = new byte[values.Length * 2];
                for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)values[i]);
                return ByteString.CopyFrom(bytes);
            }
            default:
            {
                var bytes = new byte[values.Length * 4];
                for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
                return ByteString.CopyFrom(bytes);
            }
        }
    }

    /// <summary>Casts a boolean tensor to the element type.</summary>
    public string CastToFloat(string x) => Add("Cast", [x], null, Int("to", ElementType));

    public string ReduceSum(string x, long[] axes, bool keepDims) => Reduce("ReduceSum", x, axes, keepDims);

    /// <summary>A reduction over <paramref name="axes"/>, with the axes as an input where the opset wants one
    /// (ReduceSum from 13, every other reduction from 18).</summary>
    public string Reduce(string op, string x, long[] axes, bool keepDims) => Opset >= (op == "ReduceSum" ? 13 : 18)
        ? Add(op, [x, Int64s(axes)], null, Int("keepdims", keepDims ? 1 : 0))
        : Add(op, [x], null, Ints("axes", axes), Int("keepdims", keepDims ? 1 : 0));

    public string Unsqueeze(string x, long[] axes) => Opset >= 13
        ? Add("Unsqueeze", [x, Int64s(axes)])
        : Add("Unsqueeze", [x], null, Ints("axes", axes));

    /// <summary>Slices <paramref name="x"/> along <paramref name="axes"/> (with <paramref name="steps"/>: opset 10 or later).</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes, long[]? steps = null) => Opset >= 10
        ? Add("Slice", steps is null ? [x, Int64s(starts), Int64s(ends), Int64s(axes)] : [x, Int64s(starts), Int64s(ends), Int64s(axes), Int64s(steps)])
        : steps is null ? Add("Slice", [x], null, Ints("starts", starts), Ints("ends", ends), Ints("axes", axes))
        : throw new InvalidOperationException("Slice with steps needs opset 10");

    /// <summary>Reshapes <paramref name="x"/> to the runtime shape of <paramref name="like"/>.</summary>
    public string ReshapeLike(string x, string like) => Add("Reshape", [x, Add("Shape", [like])]);

    public string Flatten1D(string x) => Add("Reshape", [x, Int64s(-1)]);

    /// <summary>Zeros with the runtime shape of <paramref name="like"/>.</summary>
    public string ZerosLike(string like) =>
        Add("ConstantOfShape", [Add("Shape", [like])], null,
            new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = FloatTensor("zero", [1], [0.0]) });

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, double value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    public static AttributeProto Ints(string name, IEnumerable<long> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };
}
