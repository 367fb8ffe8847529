using Analyzer.Onnx.Building;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// Replaces the fused com.microsoft operators of a model (what ONNX Runtime's optimisers write: FusedMatMul, BiasGelu,
/// SkipLayerNormalization, ...) by their standard-ONNX equivalents, in place and in order, when the model is loaded
/// (<see cref="ContribOperators"/>). A fused operator without an equivalent is refused by name.
/// </summary>
internal static class ContribExpansion
{
    /// <summary>Whether the model has nodes of the com.microsoft domain.</summary>
    public static bool Needed(ModelProto model) => model.Graph.Node.Any(ContribOperators.IsFused);

    /// <summary>Expands every fused node; returns how many were expanded, by operator.</summary>
    public static IReadOnlyDictionary<string, int> Apply(ModelProto model, string path)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var ranks = graph.ValueInfo.Concat(graph.Input).Concat(graph.Output)
            .Where(v => v.Type?.TensorType?.Shape is not null)
            .GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.First().Type.TensorType.Shape.Dim.Count);
        // Ranks the file does not declare, from each node's inputs, in order (what the attention expansion needs of a mask).
        int? Rank(string name) => initializers.TryGetValue(name, out var t) ? t.Dims.Count : ranks.TryGetValue(name, out int r) ? r : null;
        foreach (var node in graph.Node)
            for (int o = 0; o < node.Output.Count; o++)
                if (node.Output[o].Length > 0 && !ranks.ContainsKey(node.Output[o])
                    && ContribOperators.OutputRank(node, o, Rank, initializers.GetValueOrDefault) is { } rank)
                    ranks[node.Output[o]] = rank;
        var nodes = graph.Node.ToList();
        graph.Node.Clear();
        var writer = new GraphBuilder(model, prefix: "analyzer_expanded_");
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            if (!ContribOperators.IsFused(node))
            {
                graph.Node.Add(node);
                continue;
            }
            if (!ContribOperators.Expansions.TryGetValue(node.OpType, out var rule))
                throw new ModelFormatException($"{path}: node '{node.Name}' ({node.Domain}:{node.OpType}): this fused operator is not supported; " +
                    $"Analyzer expands {string.Join(", ", ContribOperators.Expansions.Keys.Order(StringComparer.Ordinal))}");
            int first = graph.Node.Count;
            if (rule(new ExpansionContext(node, writer, initializers, ranks)) is { } refusal)
                throw new ModelFormatException($"{path}: node '{node.Name}' ({node.Domain}:{node.OpType}): {refusal}");
            NameAfter(node, graph.Node.Skip(first).ToList());
            counts[node.OpType] = counts.GetValueOrDefault(node.OpType) + 1;
        }
        return counts;
    }

    /// <summary>The nodes written for a fused node are named after it, so that node sets keep the file's names: its
    /// layer (the node with weights, else the last one) takes the fused node's name, the others NAME/OP_k.</summary>
    private static void NameAfter(NodeProto fused, List<NodeProto> written)
    {
        if (fused.Name.Length == 0 || written.Count == 0) return;
        var main = written.LastOrDefault(n => OperatorRegistry.Find(n.OpType) is { Flow: ChannelFlow.Layer, HasWeights: true }) ?? written[^1];
        for (int k = 0; k < written.Count; k++)
            written[k].Name = ReferenceEquals(written[k], main) ? fused.Name : $"{fused.Name}/{written[k].OpType}_{k}";
    }
}
