using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Networks;
using Analyzer.Core.Results;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// What `inspect` says of a model: its operators (how units pass through each, whether feature visualisation can
/// differentiate it), its layers with their shapes and units, the node sets (with the layers their units are outputs of:
/// a CNN node set is named after the layer that reads it, docs/method.md §1), which are analysed, and whether the model
/// can be visualised. A model with operators Analyzer does not know is described as far as its operator list.
/// </summary>
public static class Inspection
{
    /// <summary>The model's operators, and its description when every operator is known; otherwise the
    /// <see cref="ModelFormatException"/> naming the first unknown one is thrown when it is described.</summary>
    public static (OnnxModelFile File, IReadOnlyList<InspectOperator> Operators) Operators(string modelPath, InputShapes? inputShapes = null)
    {
        var file = OnnxModelFile.Load(modelPath, inputShapes);
        return (file, Operators(file.Graph));
    }

    /// <summary>The description of a model whose operators are all known; names the first unknown operator otherwise.</summary>
    public static InspectDocument Describe(string modelPath, OnnxModelFile file, IReadOnlyList<InspectOperator> operators)
    {
        var unknown = operators.Where(o => o.Flow == "unknown").Select(o => o.Op).ToList();
        if (unknown.Count > 0)
        {
            var first = file.Graph.Nodes.First(n => unknown.Contains(n.OpType));
            throw new ModelFormatException($"{modelPath}: node {first}: operator is not supported" +
                (unknown.Count > 1 ? $" (nor are {string.Join(", ", unknown.Where(u => u != first.OpType))})" : ""));
        }
        return Describe(ModelNetwork.Load(modelPath, file), operators);
    }

    public static InspectDocument Describe(ModelNetwork network) => Describe(network, Operators(network.Graph));

    private static InspectDocument Describe(ModelNetwork network, IReadOnlyList<InspectOperator> operators)
    {
        var neurons = network.Neurons;
        var readerOf = neurons.NodeSets.Where(s => s.ReaderLayer >= 0).ToDictionary(s => s.ReaderLayer, s => s.Name);
        var layers = neurons.Trace.Layers.Select(l => new InspectLayer(l.Index, l.Name, l.Op, l.InputShape, l.OutputShape,
            l.Outputs, l.InputUnitCount, readerOf.GetValueOrDefault(l.Index))).ToList();
        return new InspectDocument(DisplayPath.Of(network.Path), network.Sha256, AnalyzerInfo.Version,
            network.Graph.OpsetVersion, neurons.Kind.ToString().ToLowerInvariant(), neurons.NodeCount, layers,
            NodeSets(neurons), neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList(),
            FeatureVisualizer.Unsupported(network) is { } reason ? $"unsupported: {reason}" : "supported", operators);
    }

    /// <summary>Every operator of the graph with its count, its channel flow and whether it has a gradient.</summary>
    public static IReadOnlyList<InspectOperator> Operators(OnnxGraph graph) =>
        graph.Nodes.GroupBy(n => n.OpType).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var definition = OperatorRegistry.Find(g.Key);
            return new InspectOperator(g.Key, g.Count(),
                definition is null ? "unknown" : FlowName(definition.Flow),
                definition is null ? "unknown operator" : definition.GradientGap ?? "yes");
        }).ToList();

    private static string FlowName(ChannelFlow flow) => flow switch
    {
        ChannelFlow.ShapeOnly => "shape only",
        ChannelFlow.Layer => "layer",
        ChannelFlow.Activation => "activation",
        ChannelFlow.Transparent => "pass",
        ChannelFlow.Rearrange => "rearrange",
        ChannelFlow.Select => "select",
        ChannelFlow.Scale => "scale",
        ChannelFlow.Elementwise => "elementwise",
        ChannelFlow.Reduce => "reduce",
        ChannelFlow.Normalize => "normalise",
        _ => "no units",
    };

    private static IReadOnlyList<NodeSetEntry> NodeSets(NeuronGraph neurons) =>
        neurons.NodeSets.Select(s => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, s.Offset,
            s.ProducingLayers().Select(l => neurons.Trace.Layers[l].Name).ToList())).ToList();
}
