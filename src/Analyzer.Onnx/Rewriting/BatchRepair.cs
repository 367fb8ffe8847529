using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Protos;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Rewriting;

/// <summary>
/// Finds and repairs Reshape targets an exporter fixed to one example (docs/method.md §10): a Reshape to a constant
/// [1, 256] (the zoo's ResNet-50, CNTK's MNIST), or the [197, 12, 64] of a vision transformer exported with batch 1.
/// Shapes are inferred for a batch of two; where a Reshape fails, its target gets -1 on the axis that carries the batch
/// (the axis at the batch's position, or else the axis the batch merges into; a wrong guess shows at a later node and
/// the next candidate is tried). Repairs replace targets only, so node indices stay those of the file. Whatever cannot
/// be repaired this way (a constant concatenated with batched tensors) leaves the model to run one example at a time
/// (see <see cref="OnnxModelFile.BatchLimit"/>).
/// </summary>
internal static class BatchRepair
{
    /// <summary>The repairs a graph needs to run with any batch: new Reshape targets by node index. Null when no
    /// repair makes shapes work for two examples.</summary>
    public sealed record Plan(Dictionary<int, long[]> Targets)
    {
        public bool Empty => Targets.Count == 0;
    }

    public static Plan? Find(OnnxGraph graph, InferredShapes single)
    {
        var targets = new Dictionary<int, long[]>();
        var choices = new Dictionary<int, (List<long[]> Candidates, int Chosen)>();
        var history = new List<int>();
        for (int attempt = 0; attempt < 4 * graph.Nodes.Count + 8; attempt++)
        {
            Dictionary<string, long[]>? seen = null;
            int failed = -1;
            try
            {
                ShapeInference.Infer(graph, batch: 2, (node, context) =>
                {
                    failed = node.Index;
                    seen ??= [];
                    if (targets.TryGetValue(node.Index, out var target))
                        context.InputOverrides[node.Index] = (TargetInput(node.OpType), OnnxTensor.FromInts("repaired", [target.Length], target));
                    foreach (var input in node.Inputs.Where(i => i.Length > 0)) seen[input] = context.ShapeOf(input);
                });
                return new Plan(targets);
            }
            catch (ModelFormatException)
            {
                if (failed < 0) return null;
                var node = graph.Nodes[failed];
                if (TargetInput(node.OpType) >= 0 && !targets.ContainsKey(failed) &&
                    Candidates(node, single, seen!) is { Count: > 0 } candidates)
                {
                    choices[failed] = (candidates, 0);
                    targets[failed] = candidates[0];
                    history.Add(failed);
                    continue;
                }
                // A later failure: the most recent repair guessed the wrong axis; take its next candidate.
                if (history.Count == 0) return null;
                int last = history[^1];
                var (list, chosen) = choices[last];
                if (chosen + 1 >= list.Count) return null;
                choices[last] = (list, chosen + 1);
                targets[last] = list[chosen + 1];
            }
        }
        return null;
    }

    /// <summary>Targets that keep the one-example output shape with the batch on one axis: that axis becomes -1.</summary>
    private static List<long[]> Candidates(OnnxNode node, InferredShapes single, Dictionary<string, long[]> seen)
    {
        string data = node.Inputs[0];
        if (!seen.TryGetValue(data, out var x2) || !single.Shapes.TryGetValue(data, out var x1) || x1.Length != x2.Length) return [];
        if (!single.Shapes.TryGetValue(node.Outputs[0], out var t1)) return [];
        int b = Enumerable.Range(0, x1.Length).FirstOrDefault(a => x2[a] != x1[a], -1);
        if (b < 0) return [];
        long before = x1[..b].Aggregate(1L, (p, d) => p * d), through = before * x1[b];
        var result = new List<long[]>();
        void Add(int o)
        {
            if (o < 0 || o >= t1.Length || result.Any(r => r[o] == -1)) return;
            var target = t1.ToArray();
            target[o] = -1;
            result.Add(target);
        }
        // The batch at the same position: the output keeps the leading dimensions before it.
        for (int o = 0; o <= t1.Length; o++)
            if (o <= b && t1[..o].SequenceEqual(x1[..o]) && t1[..o].Aggregate(1L, (p, d) => p * d) == before) { Add(o); break; }
        // The batch merged into an output axis as its last factor: that axis ends where the batch axis ends.
        long product = 1;
        for (int o = 0; o < t1.Length; o++)
        {
            product *= t1[o];
            if (product == through) { Add(o); break; }
        }
        if (t1.Length > 0 && t1[0] == 1) Add(0);
        return result;
    }

    /// <summary>Writes the plan into <paramref name="model"/> (a copy the caller owns).</summary>
    public static void Apply(ModelProto model, Plan plan)
    {
        var builder = new GraphBuilder(model);
        foreach (var (index, target) in plan.Targets)
            model.Graph.Node[index].Input[TargetInput(model.Graph.Node[index].OpType)] =
                builder.Int64s(target, [target.Length], $"analyzer_batch_shape_{index}");
    }

    /// <summary>The input of an operator that is a target shape (Reshape's 1), or -1.</summary>
    private static int TargetInput(string op) => OperatorRegistry.Find(op)?.Traits.TargetShapeInput ?? -1;
}
