using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx.Rewriting;

/// <summary>Adds graph outputs for intermediate tensors (with a symbolic batch), so one run returns them all.</summary>
public static class ExtraOutputs
{
    public static RewrittenModel Add(OnnxModelFile file, IReadOnlyList<string> tensors)
    {
        var model = file.Runnable.Clone();
        var graph = model.Graph;
        graph.ValueInfo.Clear();
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        foreach (var value in graph.Input.Where(v => !initializers.Contains(v.Name)).Concat(graph.Output))
            if (value.Type?.TensorType?.Shape is { Dim.Count: > 0 } shape)
                shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        var existing = graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var name in tensors.Distinct().Where(t => !existing.Contains(t)))
            graph.Output.Add(new ValueInfoProto
            {
                Name = name,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        return new RewrittenModel(model.ToByteArray(), [file.Graph.Inputs[0].Name], tensors.Distinct().ToList());
    }
}
