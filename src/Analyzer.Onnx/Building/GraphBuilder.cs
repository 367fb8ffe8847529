using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx.Building;

/// <summary>
/// The one way Analyzer writes ONNX graphs (docs/design.md, rewriting): it appends nodes, constants, initializers and
/// value infos to a model's graph under fresh names, writes each operator in the form the model's opset expects
/// (attribute or input axes, Slice before and after opset 10), keeps the model's operator-set imports right for the
/// domains it writes, and makes floating-point constants in the model's element type so that the same code builds
/// float32 and float64 graphs. Every rewriter (lesion masks and cuts, batch repairs, extra outputs, the backward graph of
/// feature visualisation) and the tests' hand-built models use it.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly GraphProto graph;
    private readonly ModelProto? model;
    private readonly string prefix;
    private int counter;

    /// <param name="opset">The default domain's operator set the nodes are written for.</param>
    /// <param name="elementType">The ONNX data type of floating-point constants (1 float32, 10 float16, 11 float64).</param>
    /// <param name="prefix">Starts every fresh name, so that written names never collide with the model's own.</param>
    /// <param name="dryRun">Build the nodes but leave large constants empty: for checking that a graph can be built.</param>
    public GraphBuilder(GraphProto graph, long opset, int elementType, string prefix, bool dryRun = false)
    {
        this.graph = graph;
        Opset = opset;
        ElementType = elementType;
        this.prefix = prefix;
        DryRun = dryRun;
    }

    /// <summary>A builder over a whole model, which can also add operator-set imports (<see cref="Import"/>).</summary>
    public GraphBuilder(ModelProto model, int elementType = (int)TensorProto.Types.DataType.Float, string prefix = "analyzer_")
        : this(model.Graph, model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1, elementType, prefix)
    {
        this.model = model;
    }

    /// <summary>A new, empty model importing the default domain's <paramref name="opset"/> (IR version 7, which every
    /// opset from 7 to 21 that Analyzer reads accepts).</summary>
    public static GraphBuilder NewModel(long opset, int elementType = (int)TensorProto.Types.DataType.Float, string producer = "analyzer",
        string graphName = "graph")
    {
        var model = new ModelProto { IrVersion = 7, ProducerName = producer, Graph = new GraphProto { Name = graphName } };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return new GraphBuilder(model, elementType, prefix: "");
    }

    /// <summary>The model, when the builder was made over one.</summary>
    public ModelProto Model => model ?? throw new InvalidOperationException("this builder writes into a graph, not a model");

    public GraphProto Graph => graph;

    public long Opset { get; }

    /// <summary>The ONNX data type of the model's floating-point tensors (1 float32, 10 float16, 11 float64).</summary>
    public int ElementType { get; }

    public bool DryRun { get; }

    public string Fresh(string hint) => $"{prefix}{hint}_{counter++}";

    /// <summary>Adds a node with one output (a fresh name unless given) and returns the output's name.</summary>
    public string Add(string op, IEnumerable<string> inputs, string? output = null, params AttributeProto[] attributes)
    {
        output ??= Fresh(op.ToLowerInvariant());
        Node(op, inputs, [output], $"{output}__node", "", attributes);
        return output;
    }

    /// <summary>Adds a node of any domain with any outputs; a domain other than the default one is imported
    /// (version 1) when the model does not import it yet.</summary>
    public NodeProto Node(string op, IEnumerable<string> inputs, IEnumerable<string> outputs, string? name = null, string domain = "",
        params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name ?? Fresh(op.ToLowerInvariant()), Domain = domain };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        if (domain is not ("" or "ai.onnx")) Import(domain, 1);
        graph.Node.Add(node);
        return node;
    }

    /// <summary>Makes the model import <paramref name="domain"/> at least at <paramref name="version"/>.</summary>
    public void Import(string domain, long version)
    {
        var imports = Model.OpsetImport;
        var existing = imports.FirstOrDefault(o => o.Domain == domain || (domain is "" or "ai.onnx" && o.Domain is "" or "ai.onnx"));
        if (existing is null) imports.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        else if (existing.Version < version) existing.Version = version;
    }

    /// <summary>Adds an initializer (a constant the graph reads by name).</summary>
    public string Initializer(TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        return tensor.Name;
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

    /// <summary>An int64 constant of the given shape, named <paramref name="name"/> or freshly.</summary>
    public string Int64s(long[] values, long[] shape, string? name = null) => Initializer(Int64Tensor(name ?? Fresh("ints"), values, shape));

    /// <summary>An int64 tensor (a 1-D one unless <paramref name="shape"/> says otherwise).</summary>
    public static TensorProto Int64Tensor(string name, long[] values, long[]? shape = null)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.AddRange(shape ?? [values.Length]);
        t.Int64Data.AddRange(values);
        return t;
    }

    /// <summary>A graph input or output: its element type and, when <paramref name="dims"/> are given, its shape (a number
    /// is a fixed size, anything else a symbolic one).</summary>
    public static ValueInfoProto Value(string name, int elementType, IEnumerable<string>? dims = null)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = elementType };
        if (dims is not null)
        {
            tensor.Shape = new TensorShapeProto();
            foreach (var d in dims)
                tensor.Shape.Dim.Add(long.TryParse(d, out long size)
                    ? new TensorShapeProto.Types.Dimension { DimValue = size }
                    : new TensorShapeProto.Types.Dimension { DimParam = d });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    /// <summary>A float32 value of <paramref name="rank"/> symbolic dimensions (the first named "batch"), or with no shape
    /// when <paramref name="rank"/> is 0.</summary>
    public static ValueInfoProto Float32(string name, int rank) =>
        Value(name, (int)TensorProto.Types.DataType.Float, rank == 0 ? null : Enumerable.Range(0, rank).Select(i => i == 0 ? "batch" : $"{name}_{i}"));

    /// <summary>Gives the first dimension of every graph input (but initializers) and output the symbolic size "batch",
    /// so that one session runs any number of examples.</summary>
    public static void SymbolicBatch(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var value in graph.Input.Where(v => !initializers.Contains(v.Name)).Concat(graph.Output))
            if (value.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
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

    public static AttributeProto Floats(string name, IEnumerable<double> values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        a.Floats.AddRange(values.Select(v => (float)v));
        return a;
    }

    /// <summary>An attribute from a plain value: long or int (Int), double or float (Float), long[] (Ints), double[]
    /// (Floats), string (String).</summary>
    public static AttributeProto Attribute(string name, object value) => value switch
    {
        long l => Int(name, l),
        int i => Int(name, i),
        double d => Float(name, d),
        float f => Float(name, f),
        long[] ls => Ints(name, ls),
        double[] ds => Floats(name, ds),
        string s => String(name, s),
        _ => throw new ArgumentException($"attribute '{name}': {value.GetType().Name} values are not supported", nameof(value)),
    };
}
