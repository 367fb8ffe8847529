using Analyzer.Core.Networks;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>
/// Where one example's outputs hold its predictions (docs/method.md §6, outputs): class scores along one axis, at every
/// position of the others. A classifier's [N, classes] has one position; a sequence model's [N, T, classes] has T; a
/// segmentation map's [N, classes, H, W] has H·W. Values are indexed (outer, class, inner): positions before the class
/// axis times <see cref="Classes"/> times positions after it.
/// </summary>
public sealed record OutputLayout(int Classes, int Outer, int Inner)
{
    /// <summary>Scored positions per example.</summary>
    public int Positions => Outer * Inner;

    /// <summary>Output values per example.</summary>
    public int Values => Classes * Outer * Inner;

    /// <summary>Index, within one example's outputs, of class <paramref name="c"/> at <paramref name="position"/>.</summary>
    public int Index(int position, int c) => (position / Inner * Classes + c) * Inner + position % Inner;

    /// <summary>The class predicted at <paramref name="position"/>: the arg-max over classes, or for a single score
    /// whether it exceeds <paramref name="threshold"/> (0.5 for a probability, 0 for a logit).</summary>
    public int Predict(ReadOnlySpan<float> example, int position, float threshold)
    {
        if (Classes == 1) return example[Index(position, 0)] > threshold ? 1 : 0;
        int best = 0;
        float top = example[Index(position, 0)];
        for (int c = 1; c < Classes; c++)
        {
            float v = example[Index(position, c)];
            if (v > top)
            {
                top = v;
                best = c;
            }
        }
        return best;
    }

    /// <summary>
    /// The layout of <paramref name="network"/>'s first output. With one axis of more than one value (after the batch),
    /// that axis holds the classes. Otherwise the class axis is the one a final Softmax or LogSoftmax normalises, or,
    /// walking back through activations and other unit-keeping operators, the unit axis of the layer that produced the
    /// output (1 for a conv, the last axis for a dense layer applied at every position); else the last axis.
    /// </summary>
    public static OutputLayout Of(ModelNetwork network)
    {
        string output = network.Graph.Outputs[0].Name;
        long[] dims = network.Shapes.ShapeOf(output)[1..];
        if (dims.Length == 0) return new OutputLayout(1, 1, 1);
        int axis = dims.Count(d => d > 1) <= 1 ? Math.Max(0, Array.FindIndex(dims, d => d > 1)) : ClassAxis(network, output, dims.Length + 1) - 1;
        int outer = (int)dims[..axis].Aggregate(1L, (a, d) => a * d), inner = (int)dims[(axis + 1)..].Aggregate(1L, (a, d) => a * d);
        return new OutputLayout((int)dims[axis], outer, inner);
    }

    /// <summary>The axis (of the batched output, rank <paramref name="rank"/>) that holds the classes.</summary>
    private static int ClassAxis(ModelNetwork network, string tensor, int rank)
    {
        var producers = new Dictionary<string, OnnxNode>();
        foreach (var node in network.Graph.Nodes)
            foreach (string o in node.Outputs) producers[o] = node;
        for (int step = 0; step < network.Graph.Nodes.Count && producers.TryGetValue(tensor, out var node); step++)
        {
            var definition = OperatorRegistry.Find(node.OpType);
            if (definition is null) break;
            if (definition.Traits.Reach == ActivationReach.Distribution)
                return TensorLayout.Axis(node.GetInt("axis", network.Graph.OpsetVersion >= 13 ? -1 : 1), rank);
            if (definition.Flow == ChannelFlow.Layer)
                return definition.Traits.Convolution ? 1 : rank - 1;
            if (definition.Flow is not (ChannelFlow.Activation or ChannelFlow.Transparent or ChannelFlow.Scale or ChannelFlow.Elementwise))
                break;
            if (node.Inputs.FirstOrDefault(i => i.Length > 0 && !network.Shapes.IsConstant(i)) is not { } data) break;
            tensor = data;
        }
        return rank - 1;
    }
}
