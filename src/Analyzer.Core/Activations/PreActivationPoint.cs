using Analyzer.Core.Analysis;
using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;

namespace Analyzer.Core.Activations;

/// <summary>Where a node set's pre-activations are read (METHOD.md 3): a tensor of shape [batch, units] or
/// [batch, units, spatial...], the latter reduced to one value per unit by the entrywise L1 norm over space.</summary>
public sealed record PreActivationPoint(NodeSet NodeSet, string Tensor, int Rank);

/// <summary>
/// Finds each node set's pre-activation: walking back from where the node set is read, through pooling, padding,
/// reshapes, dropout and per-channel scales (BatchNorm met after the activation), to the last activation function; its
/// input is the pre-activation (after BN when BN precedes the activation; the Add of a ResNet block before its ReLU).
/// A path that reaches a layer or a merge without meeting an activation uses the tensor there.
/// </summary>
public static class PreActivationPoints
{
    private static readonly HashSet<string> Activations =
    [
        "Relu", "LeakyRelu", "Sigmoid", "Tanh", "Clip", "Elu", "Selu", "Softplus", "Softsign", "HardSigmoid", "HardSwish",
        "PRelu", "Gelu", "Mish", "Celu", "ThresholdedRelu",
    ];

    private static readonly HashSet<string> PassThrough =
    [
        "MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool", "Pad", "Dropout", "Identity", "Flatten",
        "Reshape", "Squeeze", "Unsqueeze", "BatchNormalization", "Cast", "LRN",
    ];

    /// <summary>The node sets of the activation graph: an MLP's hidden node sets, every node set of a CNN.</summary>
    public static IReadOnlyList<PreActivationPoint> Find(ModelNetwork network)
    {
        var graph = network.Graph;
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
            while (producer.TryGetValue(tensor, out var node))
            {
                if (Activations.Contains(node.OpType)) { tensor = node.Inputs[0]; break; }
                bool scaleByConstant = node.OpType is "Mul" or "Div" or "Add" or "Sub" && node.Inputs.Count(i => !network.Shapes.IsConstant(i)) == 1;
                if (!PassThrough.Contains(node.OpType) && !scaleByConstant) break;
                tensor = node.Inputs.First(i => !network.Shapes.IsConstant(i));
            }
            long[] shape = network.Shapes.ShapeOf(tensor);
            if (shape.Length < 2 || shape[1] != set.Units)
                throw new ModelFormatException($"{network.Path}: node set '{set.Name}': its pre-activation '{tensor}' has shape [{string.Join(", ", shape)}], not {set.Units} channels");
            points.Add(new PreActivationPoint(set, tensor, shape.Length));
        }
        return points;
    }
}
