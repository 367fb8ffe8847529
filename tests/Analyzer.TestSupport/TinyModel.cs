using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.TestSupport;

/// <summary>
/// Builds small ONNX models in test code, with weights chosen so that graphs and results can be worked out by hand.
/// Writes real .onnx files (opset 13 unless told otherwise) that ONNX Runtime and Analyzer both read.
/// </summary>
public sealed class TinyModel
{
    private readonly ModelProto model;
    private readonly int elementType;
    private int counter;

    /// <param name="float64">Float tensors (inputs, outputs, weights) in double precision instead of float32.</param>
    public TinyModel(long opset = 13, bool float64 = false)
    {
        elementType = float64 ? 11 : 1;
        model = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "analyzer-tests",
            Graph = new GraphProto { Name = "tiny" },
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
    }

    public TinyModel Input(string name, params long[] shape)
    {
        model.Graph.Input.Add(ValueInfo(name, shape, symbolicBatch: true, elementType));
        return this;
    }

    public TinyModel Output(string name)
    {
        model.Graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } },
        });
        return this;
    }

    /// <summary>A floating-point initializer (float32, or float64 for a float64 model), row-major.</summary>
    public TinyModel Weight(string name, long[] shape, params double[] values)
    {
        var t = new TensorProto { Name = name, DataType = elementType };
        t.Dims.AddRange(shape);
        if (elementType == 11) t.DoubleData.AddRange(values);
        else t.FloatData.AddRange(values.Select(v => (float)v));
        model.Graph.Initializer.Add(t);
        return this;
    }

    public TinyModel Ints(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        model.Graph.Initializer.Add(t);
        return this;
    }

    /// <summary>Adds a node; attributes are (name, value) with long, double, long[], double[] or string values.</summary>
    public TinyModel Node(string op, string[] inputs, string[] outputs, string? name = null, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name ?? $"{op.ToLowerInvariant()}{counter++}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (attrName, value) in attributes)
            node.Attribute.Add(Attribute(attrName, value));
        model.Graph.Node.Add(node);
        return this;
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case long l: a.Type = AttributeProto.Types.AttributeType.Int; a.I = l; break;
            case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
            case double d: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)d; break;
            case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
            case long[] ls: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ls); break;
            case double[] ds: a.Type = AttributeProto.Types.AttributeType.Floats; a.Floats.AddRange(ds.Select(d => (float)d)); break;
            case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
            default: throw new ArgumentException($"unsupported attribute value {value.GetType()}");
        }
        return a;
    }

    private static ValueInfoProto ValueInfo(string name, long[] shape, bool symbolicBatch, int elementType)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = elementType, Shape = new TensorShapeProto() };
        for (int i = 0; i < shape.Length; i++)
            tensor.Shape.Dim.Add(i == 0 && symbolicBatch
                ? new TensorShapeProto.Types.Dimension { DimParam = "N" }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }

    public byte[] ToBytes() => model.ToByteArray();

    /// <summary>Writes the model into a fresh temporary directory and returns its path.</summary>
    public string Save(string fileName = "model.onnx")
    {
        string dir = TempDirectory.Create();
        string path = Path.Combine(dir, fileName);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }
}
