using Analyzer.Onnx;

namespace Analyzer.Core.Graphs;

/// <summary>Chooses the node sets of a traced network (docs/method.md §1).</summary>
public static class NeuronGraphBuilder
{
    public static NeuronGraph Build(NetworkTrace trace, string modelPath)
    {
        var layers = trace.Layers;
        var sets = new List<NodeSet>();
        int offset = 0;
        void Add(string name, NodeSetKind kind, string op, int reader, ChannelOrigin[] units)
        {
            sets.Add(new NodeSet(sets.Count, name, kind, op, units.Length, offset, reader, units));
            offset += units.Length;
        }

        if (trace.HasAttention)
        {
            // Transformers: the units a layer reads straight after their own elementwise non-linearity (an MLP block's
            // hidden units), each from one layer. The residual stream has no privileged basis and attention is not a
            // layer in the paper's sense, so neither gives node sets.
            foreach (var layer in layers)
                if (layer.InputUnits.Length > 0 && layer.InputUnits.All(u => u.Activated && u.Terms.Length > 0 && u.Terms.All(t => t.Layer >= 0)
                        && u.Terms.Select(t => t.Layer).Distinct().Count() == 1))
                    Add(layer.Name, NodeSetKind.Hidden, layer.Op, layer.Index, layer.InputUnits);
            if (sets.Count == 0)
                throw new ModelFormatException($"{modelPath}: a transformer without MLP blocks (no layer reads activated units): nothing to analyse");
            return new NeuronGraph(NetworkKind.Transformer, sets, trace);
        }
        if (trace.IsConvolutional)
        {
            // A node set per layer that reads feature maps: the outputs of convs, or of dense layers applied at every
            // position (ConvNeXt's pointwise layers). The image is not a node set, and a dense layer after the first
            // dense one reads vectors, not maps.
            bool Maps(int layer) => layers[layer].Convolution || (layers[layer].UnitAxis > 1 && layers[layer].OutputShape.Length > 2);
            foreach (var layer in layers)
                if (layer.InputUnits.Any(u => u.Terms.Any(t => t.Layer >= 0 && Maps(t.Layer))))
                    Add(layer.Name, NodeSetKind.Hidden, layer.Op, layer.Index, layer.InputUnits);
            return new NeuronGraph(NetworkKind.Cnn, sets, trace);
        }

        foreach (var layer in layers)
        {
            int producer = layer.InputUnits.SelectMany(u => u.Terms).Select(t => t.Layer).DefaultIfEmpty(-1).Max();
            if (producer < 0)
                Add(trace.InputName, NodeSetKind.Input, "Input", layer.Index, layer.InputUnits);
            else
                Add(layers[producer].Name, NodeSetKind.Hidden, layers[producer].Op, layer.Index, layer.InputUnits);
        }
        if (trace.Outputs.Count == 0)
            throw new ModelFormatException($"{modelPath}: the graph output is not computed from the input");
        var output = trace.Outputs[0];
        int last = output.Units.SelectMany(u => u.Terms).Select(t => t.Layer).DefaultIfEmpty(-1).Max();
        if (last < 0)
            throw new ModelFormatException($"{modelPath}: output '{output.Name}' does not depend on any layer");
        Add(layers[last].Name, NodeSetKind.Output, layers[last].Op, -1, output.Units);
        return new NeuronGraph(NetworkKind.Mlp, sets, trace);
    }
}
