using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;

namespace Analyzer.Onnx.Shapes;

/// <summary>
/// Computes the static shape of every tensor in an <see cref="OnnxGraph"/> for a single example, folding constant
/// subgraphs (shape arithmetic, Constant, ConstantOfShape) on the way, by each operator's rule in the
/// <see cref="OperatorRegistry"/>. An operator the registry does not know is reported, naming the node.
/// </summary>
public static class ShapeInference
{
    public static InferredShapes Infer(OnnxGraph graph) => Infer(graph, batch: 1, beforeNode: null);

    /// <summary>
    /// For every tensor that carries the batch, the axis it lies on: 0 almost everywhere, 1 in the time-major tensors a
    /// recurrent layer reads and writes ([T, N, I]). Found by inferring shapes for one and for three examples; empty
    /// when the graph's shapes do not follow the batch (a model fixed to one example), where callers take axis 0.
    /// </summary>
    public static IReadOnlyDictionary<string, int> BatchAxes(OnnxGraph graph)
    {
        try
        {
            var one = Infer(graph, batch: 1, beforeNode: null);
            var three = Infer(graph, batch: 3, beforeNode: null);
            var axes = new Dictionary<string, int>();
            foreach (var (name, shape) in one.Shapes)
                if (three.Shapes.TryGetValue(name, out var other) && other.Length == shape.Length
                    && Enumerable.Range(0, shape.Length).FirstOrDefault(a => shape[a] != other[a], -1) is var axis and >= 0)
                    axes[name] = axis;
            return axes;
        }
        catch (ModelFormatException)
        {
            return new Dictionary<string, int>();
        }
    }

    /// <summary>
    /// Shapes for <paramref name="batch"/> examples (the graph input's first dimension, symbolic or fixed, set to it);
    /// <paramref name="beforeNode"/> may adjust what a node sees before its rule runs (used to find and repair shapes
    /// exporters fixed to one example, <see cref="Rewriting.BatchRepair"/>).
    /// </summary>
    internal static InferredShapes Infer(OnnxGraph graph, long batch, Action<OnnxNode, ShapeContext>? beforeNode)
    {
        var shapes = new Dictionary<string, long[]>();
        var constants = new Dictionary<string, OnnxTensor>();
        foreach (var (name, tensor) in graph.Initializers)
        {
            shapes[name] = tensor.Shape;
            constants[name] = tensor;
        }
        foreach (var input in graph.Inputs)
        {
            if (input.Shape is null)
                throw new ModelFormatException($"{graph.Path}: input '{input.Name}' has no shape; Analyzer needs its rank and sizes");
            // One example: a symbolic batch dimension counts as 1; any other unknown size is an error.
            var shape = input.Shape.Select((d, i) => i == 0 && (d < 0 || batch != 1) ? batch : d).ToArray();
            if (shape.Any(d => d < 0))
                throw new ModelFormatException($"{graph.Path}: input '{input.Name}' has free sizes in [N, {string.Join(", ", input.Shape.Skip(1).Select(d => d < 0 ? "?" : d.ToString()))}]; " +
                    $"give them with --input-shape {(graph.Inputs.Count > 1 ? input.Name + "=" : "")}{string.Join("x", input.Shape.Skip(1).Select(d => d < 0 ? "SIZE" : d.ToString()))}, or data whose examples fix them");
            shapes[input.Name] = shape;
        }

        var context = new ShapeContext(graph, shapes, constants);
        foreach (var node in graph.Nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
                throw Errors.Node(graph.Path, new(node.DisplayName, node.OpType), $"operator domain '{node.Domain}' is not supported; expected the default ONNX domain");
            foreach (var input in node.Inputs)
                if (input.Length > 0 && !shapes.ContainsKey(input))
                    throw Errors.Node(graph.Path, new(node.DisplayName, node.OpType), $"input '{input}' is not produced by any earlier node, initializer or graph input");
            var definition = OperatorRegistry.Find(node.OpType)
                ?? throw Errors.Node(graph.Path, new(node.DisplayName, node.OpType), "operator is not supported");
            try
            {
                beforeNode?.Invoke(node, context);
                context.Visit(node, definition.Shapes);
            }
            catch (ModelFormatException) { throw; }
            catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidOperationException or OverflowException
                                          or KeyNotFoundException or NullReferenceException or InvalidCastException)
            {
                throw Errors.Node(graph.Path, new(node.DisplayName, node.OpType), $"inconsistent inputs or attributes ({e.Message})");
            }
        }
        return new InferredShapes(shapes, constants, graph.OpsetVersion);
    }
}
