using Analyzer.Onnx.Model;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx;

/// <summary>Turns the protobuf ModelProto into the plain <see cref="OnnxGraph"/>: the only place that reads protobuf types.</summary>
internal static class OnnxGraphReader
{
    public static OnnxGraph Read(string path, Lazy<string> sha256, ModelProto model)
    {
        long opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset == 0 && model.OpsetImport.Count == 0)
            opset = 1; // IR 3 files without opset_import are opset 1
        if (opset < OnnxModelFile.MinOpset || opset > OnnxModelFile.MaxOpset)
            throw Errors.Opset(path, opset);

        var graph = model.Graph;
        var initializers = new Dictionary<string, OnnxTensor>();
        foreach (var t in graph.Initializer)
            initializers[t.Name] = TensorDecoder.Decode(path, t);

        var nodes = new List<OnnxNode>(graph.Node.Count);
        for (int i = 0; i < graph.Node.Count; i++)
        {
            var n = graph.Node[i];
            var attributes = n.Attribute.Select(a => ReadAttribute(path, n, a)).ToList();
            nodes.Add(new OnnxNode(i, n.Name, n.OpType, n.Domain, n.Input.ToArray(), n.Output.ToArray(), attributes));
        }

        var inputs = graph.Input.Where(v => !initializers.ContainsKey(v.Name)).Select(ReadValueInfo).ToList();
        var outputs = graph.Output.Select(ReadValueInfo).ToList();
        return new OnnxGraph(path, sha256, opset, nodes, initializers, inputs, outputs);
    }

    private static OnnxAttribute ReadAttribute(string path, NodeProto node, AttributeProto a)
    {
        var type = a.Type;
        if (type == AttributeProto.Types.AttributeType.Undefined)
            type = GuessType(a); // IR version 1 files did not record the type
        return type switch
        {
            AttributeProto.Types.AttributeType.Float => new(a.Name, OnnxAttributeKind.Float, Float: a.F),
            AttributeProto.Types.AttributeType.Int => new(a.Name, OnnxAttributeKind.Int, Int: a.I),
            AttributeProto.Types.AttributeType.String => new(a.Name, OnnxAttributeKind.String, String: a.S.ToStringUtf8()),
            AttributeProto.Types.AttributeType.Tensor => new(a.Name, OnnxAttributeKind.Tensor,
                Tensor: a.T is null ? null : DecodeAttributeTensor(path, a)),
            AttributeProto.Types.AttributeType.Floats => new(a.Name, OnnxAttributeKind.Floats, Floats: a.Floats.Select(f => (double)f).ToArray()),
            AttributeProto.Types.AttributeType.Ints => new(a.Name, OnnxAttributeKind.Ints, Ints: a.Ints.ToArray()),
            AttributeProto.Types.AttributeType.Strings => new(a.Name, OnnxAttributeKind.Strings),
            _ => new(a.Name, OnnxAttributeKind.Other),
        };
    }

    private static OnnxTensor DecodeAttributeTensor(string path, AttributeProto a)
    {
        var t = a.T;
        // Constant nodes often leave the tensor unnamed; name it after the attribute for messages.
        if (t.Name.Length == 0)
        {
            t = t.Clone();
            t.Name = a.Name;
        }
        return TensorDecoder.Decode(path, t);
    }

    private static AttributeProto.Types.AttributeType GuessType(AttributeProto a)
    {
        if (a.Ints.Count > 0) return AttributeProto.Types.AttributeType.Ints;
        if (a.Floats.Count > 0) return AttributeProto.Types.AttributeType.Floats;
        if (a.Strings.Count > 0) return AttributeProto.Types.AttributeType.Strings;
        if (a.T is not null) return AttributeProto.Types.AttributeType.Tensor;
        if (!a.S.IsEmpty) return AttributeProto.Types.AttributeType.String;
        if (a.F != 0) return AttributeProto.Types.AttributeType.Float;
        return AttributeProto.Types.AttributeType.Int;
    }

    private static OnnxValueInfo ReadValueInfo(ValueInfoProto v)
    {
        var tensor = v.Type?.TensorType;
        long[]? shape = tensor?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray();
        return new OnnxValueInfo(v.Name, (TensorElementType)(tensor?.ElemType ?? 0), shape);
    }
}
