using Analyzer.Onnx.Building;
using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.TestSupport;

/// <summary>
/// Builds small ONNX models in test code, with weights chosen so that graphs and results can be worked out by hand.
/// Writes real .onnx files (opset 13 unless told otherwise) that ONNX Runtime and Analyzer both read; the nodes are
/// written by Analyzer's own <see cref="GraphBuilder"/>.
/// </summary>
public sealed class TinyModel
{
    private readonly GraphBuilder builder;
    private readonly int elementType;
    private int counter;

    /// <param name="float64">Float tensors (inputs, outputs, weights) in double precision instead of float32.</param>
    public TinyModel(long opset = 13, bool float64 = false)
    {
        elementType = float64 ? 11 : 1;
        builder = GraphBuilder.NewModel(opset, elementType, producer: "analyzer-tests", graphName: "tiny");
    }

    /// <summary>An input with a symbolic batch dimension ("N") and the given sizes after it; a negative size is a free
    /// (symbolic) one, named d1, d2, ... by its axis.</summary>
    public TinyModel Input(string name, params long[] shape) => TypedInput(name, elementType, shape);

    /// <summary>An input of another element type (7: int64 token ids, 9: bool), shaped as <see cref="Input"/>.</summary>
    public TinyModel TypedInput(string name, int type, params long[] shape)
    {
        builder.Graph.Input.Add(GraphBuilder.Value(name, type, shape.Select((d, i) => i == 0 ? "N" : d < 0 ? $"d{i}" : d.ToString())));
        return this;
    }

    /// <summary>An output of another element type (7: int64 class indices).</summary>
    public TinyModel TypedOutput(string name, int type)
    {
        builder.Graph.Output.Add(GraphBuilder.Value(name, type));
        return this;
    }

    public TinyModel Output(string name)
    {
        builder.Graph.Output.Add(GraphBuilder.Value(name, elementType));
        return this;
    }

    /// <summary>A floating-point initializer (float32, or float64 for a float64 model), row-major.</summary>
    public TinyModel Weight(string name, long[] shape, params double[] values)
    {
        var t = new TensorProto { Name = name, DataType = elementType };
        t.Dims.AddRange(shape);
        if (elementType == 11) t.DoubleData.AddRange(values);
        else t.FloatData.AddRange(values.Select(v => (float)v));
        builder.Initializer(t);
        return this;
    }

    public TinyModel Ints(string name, params long[] values)
    {
        builder.Int64s(values, [values.Length], name);
        return this;
    }

    /// <summary>Adds a node; attributes are (name, value) with long, double, long[], double[] or string values
    /// (<see cref="GraphBuilder.Attribute"/>).</summary>
    public TinyModel Node(string op, string[] inputs, string[] outputs, string? name = null, params (string Name, object Value)[] attributes)
    {
        builder.Node(op, inputs, outputs, name ?? $"{op.ToLowerInvariant()}{counter++}", "",
            attributes.Select(a => GraphBuilder.Attribute(a.Name, a.Value)).ToArray());
        return this;
    }

    /// <summary>Adds a node of another domain (com.microsoft: ONNX Runtime's fused operators), imported at version 1.</summary>
    public TinyModel DomainNode(string domain, string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        builder.Node(op, inputs, outputs, $"{op.ToLowerInvariant()}{counter++}", domain,
            attributes.Select(a => GraphBuilder.Attribute(a.Name, a.Value)).ToArray());
        return this;
    }

    /// <summary>Stamps the model with an old IR version (3: ONNX 1.1, CNTK's and the older zoo's), listing every
    /// initializer as a graph input as that version requires.</summary>
    public TinyModel IrVersion(long version)
    {
        builder.Model.IrVersion = version;
        foreach (var t in builder.Graph.Initializer.Where(t => builder.Graph.Input.All(i => i.Name != t.Name)))
            builder.Graph.Input.Add(GraphBuilder.Value(t.Name, t.DataType, t.Dims.Select(d => d.ToString())));
        return this;
    }

    public byte[] ToBytes() => builder.Model.ToByteArray();

    /// <summary>Writes the model into a fresh temporary directory and returns its path.</summary>
    public string Save(string fileName = "model.onnx")
    {
        string dir = TempDirectory.Create();
        string path = Path.Combine(dir, fileName);
        File.WriteAllBytes(path, ToBytes());
        return path;
    }
}
