using Analyzer.Onnx.Building;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// Ends a model whose first output is post-processed (an ArgMax of the logits, a TopK, non-maximum suppression, a CTC
/// decode) at the scores the post-processing reads (docs/method.md §10): walking back from the output along each
/// node's first input, the earliest post-processing node met gives the new output, its input; the nodes only the old
/// outputs needed are dropped. The model's own function up to that tensor is unchanged.
/// </summary>
internal static class PostProcessingCut
{
    /// <summary>The post-processing node nearest the network on the first output's path, or null.</summary>
    public static NodeProto? Find(ModelProto model)
    {
        var graph = model.Graph;
        if (graph.Output.Count == 0) return null;
        var producer = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producer[output] = node;
        NodeProto? earliest = null;
        string tensor = graph.Output[0].Name;
        var seen = new HashSet<string>();
        while (seen.Add(tensor) && producer.TryGetValue(tensor, out var node) && node.Input.Count > 0)
        {
            if (PostProcessingOperators.Names.Contains(node.OpType)) earliest = node;
            tensor = node.Input[0];
        }
        return earliest;
    }

    /// <summary>Makes the post-processing node's input the model's only output and drops what no longer leads to it.</summary>
    public static void Apply(ModelProto model, NodeProto postProcessing)
    {
        var graph = model.Graph;
        string scores = postProcessing.Input[0];
        var needed = new HashSet<string> { scores };
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node.Reverse())
        {
            if (!node.Output.Any(needed.Contains)) continue;
            kept.Add(node);
            foreach (var input in node.Input.Where(i => i.Length > 0)) needed.Add(input);
        }
        kept.Reverse();
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        graph.Output.Clear();
        graph.Output.Add(GraphBuilder.Value(scores, (int)TensorProto.Types.DataType.Float));
    }
}
