using Analyzer.Onnx.Building;
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
        GraphBuilder.SymbolicBatch(graph);
        var existing = graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var name in tensors.Distinct().Where(t => !existing.Contains(t)))
            graph.Output.Add(GraphBuilder.Value(name, (int)TensorProto.Types.DataType.Float));
        return new RewrittenModel(model.ToByteArray(), [file.Graph.Inputs[0].Name], tensors.Distinct().ToList());
    }
}
