using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Operators;
using Analyzer.Core.Files;
using Analyzer.Reporting.Files;
using Spectre.Console;

namespace Analyzer.Cli.Commands.Inspect;

/// <summary>Builds the inspect report from a traced model and prints it as tables or JSON.</summary>
public static class InspectHandler
{
    public static int Run(string modelPath, bool json, TextWriter output)
    {
        var file = OnnxModelFile.Load(modelPath);
        var operators = Operators(file.Graph);
        var unknown = operators.Where(o => o.Flow == "unknown").Select(o => o.Op).ToList();
        if (unknown.Count > 0)
        {
            // Nothing past the operator list can be known: say which operators are missing, by name.
            if (!json) Console(output).Write(OperatorTable(operators));
            var first = file.Graph.Nodes.First(n => unknown.Contains(n.OpType));
            throw new ModelFormatException($"{modelPath}: node {first}: operator is not supported" +
                (unknown.Count > 1 ? $" (nor are {string.Join(", ", unknown.Where(u => u != first.OpType))})" : ""));
        }
        var network = ModelNetwork.Load(modelPath, file);
        var document = Describe(network, operators);
        if (json)
        {
            output.WriteLine(JsonFiles.Serialize(document));
            return ExitCodes.Success;
        }
        var console = Console(output);
        console.Write(new Text($"{document.Model}  ({KindTitle(document.Kind)}, opset {document.Opset}, sha256 {document.ModelSha256[..12]}…)\n"));
        var layers = new Table().Title("Layers (operators with weights)");
        foreach (var column in new[] { "#", "layer", "op", "input", "output", "units", "reads node set" })
            layers.AddColumn(column);
        foreach (var l in document.Layers)
            layers.AddRow(Cells(l.Index.ToString(), l.Name, l.Op, Shape(l.InputShape), Shape(l.OutputShape), l.Outputs.ToString(), l.NodeSet ?? "-"));
        console.Write(layers);
        // A CNN node set is named after the layer that reads it (one per reader); "outputs of" names where its units come from.
        var sets = new Table().Title($"Node sets: {document.Nodes} nodes");
        foreach (var column in new[] { "node set", "kind", "op", "units", "outputs of", "offset", "analysed" })
            sets.AddColumn(column);
        foreach (var s in document.NodeSets)
            sets.AddRow(Cells(s.Name, s.Kind, s.Op, s.Units.ToString(), Producers(s.ProducedBy), s.Offset.ToString(),
                document.Analysed.Contains(s.Name) ? "yes" : "no"));
        console.Write(sets);
        console.Write(OperatorTable(document.Operators));
        console.Write(new Text($"Feature visualisation: {document.Visualisation}\n"));
        return ExitCodes.Success;
    }

    private static IAnsiConsole Console(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 160;
        return console;
    }

    private static string KindTitle(string kind) => kind switch { "mlp" => "MLP", "cnn" => "CNN", _ => "transformer" };

    private static Table OperatorTable(IReadOnlyList<InspectOperator> operators)
    {
        var table = new Table().Title("Operators");
        foreach (var column in new[] { "op", "count", "units", "gradient" })
            table.AddColumn(column);
        foreach (var o in operators)
            table.AddRow(Cells(o.Op, o.Count.ToString(), o.Flow, o.Gradient));
        return table;
    }

    private static Text[] Cells(params string[] values) => values.Select(v => new Text(v)).ToArray();

    private static string Shape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Every operator of the graph with its count, its channel flow and whether it has a gradient.</summary>
    public static List<InspectOperator> Operators(OnnxGraph graph) =>
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

    public static InspectDocument Describe(ModelNetwork network) => Describe(network, Operators(network.Graph));

    private static InspectDocument Describe(ModelNetwork network, IReadOnlyList<InspectOperator> operators)
    {
        var neurons = network.Neurons;
        var readerOf = neurons.NodeSets.Where(s => s.ReaderLayer >= 0).ToDictionary(s => s.ReaderLayer, s => s.Name);
        var layers = neurons.Trace.Layers.Select(l => new InspectLayer(l.Index, l.Name, l.Op, l.InputShape, l.OutputShape,
            l.Outputs, l.InputUnitCount, readerOf.GetValueOrDefault(l.Index))).ToList();
        return new InspectDocument(CommandRunner.Display(network.Path), network.Sha256, AnalyzerInfo.Version,
            network.Graph.OpsetVersion, neurons.Kind.ToString().ToLowerInvariant(), neurons.NodeCount, layers,
            NodeSets(neurons), neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList(),
            FeatureVisualizer.Unsupported(network) is { } reason ? $"unsupported: {reason}" : "supported", operators);
    }

    public static List<NodeSetEntry> NodeSets(NeuronGraph neurons) =>
        neurons.NodeSets.Select(s => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, s.Offset,
            s.ProducingLayers().Select(l => neurons.Trace.Layers[l].Name).ToList())).ToList();

    /// <summary>The producing layers for a table cell: "model input" when none, the first two and a count past that.</summary>
    private static string Producers(IReadOnlyList<string>? layers) => layers switch
    {
        null or [] => "model input",
        { Count: <= 2 } => string.Join(" + ", layers),
        _ => $"{layers[0]} + {layers[1]} + {layers.Count - 2} more",
    };
}
