using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Core.Activations;

/// <summary>Where a node set's pre-activations are read (docs/method.md §3): a tensor with the node set's units on
/// <see cref="UnitAxis"/> (1 for [batch, units] and [batch, units, spatial...]; the last axis for [batch, tokens, units]
/// and [batch, H, W, units]); over the other axes each unit is reduced to one value by the entrywise L1 norm.</summary>
public sealed record PreActivationPoint(NodeSet NodeSet, string Tensor, int Rank, int UnitAxis = 1)
{
    /// <summary>Values per unit and example (the positions the L1 norm sums over).</summary>
    public static long Positions(long[] shape, int unitAxis) => TensorLayout.Count(shape.AsSpan(1)) / shape[unitAxis];
}

/// <summary>
/// Finds each node set's pre-activation: walking back from where the node set is read, through what passes units on
/// unchanged in kind (pools, padding, reshapes, transposes, dropout, constant shifts and scales, BatchNorm and the
/// normalisations, a gate's modulated input), to the last activation function; its input is the pre-activation (after
/// BN when BN precedes the activation; for a self-gate x·g(x), x; the Add of a ResNet block before its ReLU). A path
/// that reaches a layer or a merge of two activations without meeting an activation uses the tensor there.
/// </summary>
public static class PreActivationPoints
{
    /// <summary>The node sets of the activation graph: an MLP's hidden node sets, every node set of a CNN or a transformer.</summary>
    public static IReadOnlyList<PreActivationPoint> Find(ModelNetwork network)
    {
        var graph = network.Graph;
        var shapes = network.Shapes;
        var producer = new Dictionary<string, OnnxNode>();
        foreach (var node in graph.Nodes)
            foreach (var output in node.Outputs) producer[output] = node;
        var points = new List<PreActivationPoint>();
        var sets = network.Neurons.Kind == NetworkKind.Mlp
            ? network.Neurons.NodeSets.Where(s => s.Kind == NodeSetKind.Hidden)
            : network.Neurons.NodeSets;
        foreach (var set in sets)
        {
            var reader = network.Neurons.Trace.Layers[set.ReaderLayer];
            string tensor = graph.Nodes[reader.NodeIndex].Inputs[0];
            int unitAxis = reader.UnitAxis;
            while (producer.TryGetValue(tensor, out var node) && Step(node, tensor, shapes, producer) is { } next)
            {
                // A step that scatters the units over several axes (a channel shuffle's reshape) ends the walk: the
                // pre-activation is read where the units still lie along one axis, in the node set's order.
                int axis = InputAxis(node, tensor, next.Tensor, unitAxis, set.Units, shapes);
                if (axis < 1) break;
                unitAxis = axis;
                tensor = next.Tensor;
                if (next.Activation) break;
            }
            long[] shape = shapes.ShapeOf(tensor);
            if (shape.Length < 2 || unitAxis < 1 || unitAxis >= shape.Length || shape[unitAxis] != set.Units)
                throw new ModelFormatException($"{network.Path}: node set '{set.Name}': its pre-activation '{tensor}' has shape [{string.Join(", ", shape)}], with no axis of its {set.Units} units");
            points.Add(new PreActivationPoint(set, tensor, shape.Length, unitAxis));
        }
        return points;
    }

    /// <summary>The tensor one step back from <paramref name="tensor"/> (produced by <paramref name="node"/>), and whether
    /// the step crossed an activation; null where the walk stops at <paramref name="tensor"/>.</summary>
    private static (string Tensor, bool Activation)? Step(OnnxNode node, string tensor, InferredShapes shapes, Dictionary<string, OnnxNode> producer)
    {
        var definition = OperatorRegistry.Find(node.OpType);
        if (definition is null) return null;
        var data = node.Inputs.Where(i => i.Length > 0 && !shapes.IsConstant(i)).ToList();
        if (data.Count == 0) return null;
        long[] output = shapes.ShapeOf(tensor);
        switch (definition.Flow)
        {
            // LRN normalises across neighbouring channels after the ReLU: the walk continues to the ReLU (AlexNet).
            case ChannelFlow.Activation when definition.Traits.Reach == ActivationReach.Neighbourhood:
                return (node.Inputs[0], false);
            case ChannelFlow.Activation when definition.Traits.Reach == ActivationReach.Pointwise:
                return (node.Inputs[0], true);
            case ChannelFlow.Transparent or ChannelFlow.Rearrange or ChannelFlow.Scale or ChannelFlow.Normalize:
                return data.Count == 1 || definition.Traits.SingleDataInput ? (node.Inputs[0], false) : null;
            case ChannelFlow.Elementwise:
            {
                if (data.Count == 1)
                    return definition.Traits.Arithmetic is not null ? (data[0], false) : (data[0], true);
                if (data.Count != 2) return null;
                var (a, b) = (data[0], data[1]);
                bool fullA = shapes.ShapeOf(a).SequenceEqual(output), fullB = shapes.ShapeOf(b).SequenceEqual(output);
                // One factor smaller than the output (an SE gate, a normalisation statistic): follow the full one.
                if (fullA != fullB) return (fullA ? a : b, false);
                if (definition.Traits.Arithmetic is ArithmeticKind.Product)
                {
                    // x·g(x): a self-gated activation, whose pre-activation is x.
                    if (DependsElementwise(b, a, shapes, producer)) return (a, true);
                    if (DependsElementwise(a, b, shapes, producer)) return (b, true);
                }
                return null; // a merge (ResNet's Add) or a product of two units: the pre-activation is here
            }
            default:
                return null;
        }
    }

    /// <summary>The axis of <paramref name="input"/> that holds the units found on <paramref name="axis"/> of
    /// <paramref name="output"/>: permuted by a Transpose, kept by elementwise steps and pools, and after a reshape the
    /// channel axis (or else the last axis) when its size is the unit count (a dense layer reading a flattened map reads
    /// its channels).</summary>
    private static int InputAxis(OnnxNode node, string output, string input, int axis, int units, InferredShapes shapes)
    {
        long[] inShape = shapes.ShapeOf(input), outShape = shapes.ShapeOf(output);
        if (axis < 0 || axis >= outShape.Length) return -1;
        if (OperatorRegistry.Find(node.OpType)?.Permutation(node, outShape.Length) is { } permutation)
            return permutation[axis];
        if (inShape.Length == outShape.Length && axis < inShape.Length && inShape[axis] == outShape[axis])
            return axis;
        if (inShape.Length > 1 && inShape[1] == units) return 1;
        if (inShape.Length > 1 && inShape[^1] == units) return inShape.Length - 1;
        return Array.IndexOf(inShape, (long)units);
    }

    /// <summary>Whether <paramref name="gate"/> is an elementwise function of <paramref name="x"/> alone (Sigmoid(x),
    /// 1 + erf(x / √2), HardSigmoid(x)).</summary>
    private static bool DependsElementwise(string gate, string x, InferredShapes shapes, Dictionary<string, OnnxNode> producer)
    {
        string current = gate;
        for (int steps = 0; steps < 16 && current != x; steps++)
        {
            if (!producer.TryGetValue(current, out var node)) return false;
            var definition = OperatorRegistry.Find(node.OpType);
            var data = node.Inputs.Where(i => i.Length > 0 && !shapes.IsConstant(i)).ToList();
            if (definition is null || data.Count != 1 || definition.Flow is not (ChannelFlow.Activation or ChannelFlow.Elementwise or ChannelFlow.Transparent or ChannelFlow.Scale))
                return false;
            current = data[0];
        }
        return current == x;
    }
}
