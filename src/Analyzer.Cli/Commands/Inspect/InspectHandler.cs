using Analyzer.Core.Analysis;
using Analyzer.Core.Graphs;
using Analyzer.Core.Visualisation;
using Analyzer.Reporting.Files;
using Spectre.Console;

namespace Analyzer.Cli.Commands.Inspect;

/// <summary>Builds the inspect report from a traced model and prints it as tables or JSON.</summary>
public static class InspectHandler
{
    public static int Run(string modelPath, bool json, TextWriter output)
    {
        var network = ModelNetwork.Load(modelPath);
        var document = Describe(network);
        if (json)
        {
            output.WriteLine(JsonFiles.Serialize(document));
            return ExitCodes.Success;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 160;
        console.Write(new Text($"{document.Model}  ({(document.Kind == "mlp" ? "MLP" : "CNN")}, opset {document.Opset}, sha256 {document.ModelSha256[..12]}…)\n"));
        var layers = new Table().Title("Layers (operators with weights)");
        foreach (var column in new[] { "#", "layer", "op", "input", "output", "units", "reads node set" })
            layers.AddColumn(column);
        foreach (var l in document.Layers)
            layers.AddRow(Cells(l.Index.ToString(), l.Name, l.Op, Shape(l.InputShape), Shape(l.OutputShape), l.Outputs.ToString(), l.NodeSet ?? "-"));
        console.Write(layers);
        var sets = new Table().Title($"Node sets: {document.Nodes} nodes");
        foreach (var column in new[] { "node set", "kind", "op", "units", "offset", "analysed" })
            sets.AddColumn(column);
        foreach (var s in document.NodeSets)
            sets.AddRow(Cells(s.Name, s.Kind, s.Op, s.Units.ToString(), s.Offset.ToString(), document.Analysed.Contains(s.Name) ? "yes" : "no"));
        console.Write(sets);
        console.Write(new Text($"Feature visualisation: {document.Visualisation}\n"));
        return ExitCodes.Success;
    }

    private static Text[] Cells(params string[] values) => values.Select(v => new Text(v)).ToArray();

    private static string Shape(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    public static InspectDocument Describe(ModelNetwork network)
    {
        var neurons = network.Neurons;
        var readerOf = neurons.NodeSets.Where(s => s.ReaderLayer >= 0).ToDictionary(s => s.ReaderLayer, s => s.Name);
        var layers = neurons.Trace.Layers.Select(l => new InspectLayer(l.Index, l.Name, l.Op, l.InputShape, l.OutputShape,
            l.Outputs, l.InputUnitCount, readerOf.GetValueOrDefault(l.Index))).ToList();
        return new InspectDocument(CommandRunner.Display(network.Path), network.Sha256, AnalyzerInfo.Version,
            network.Graph.OpsetVersion, neurons.Kind == NetworkKind.Mlp ? "mlp" : "cnn", neurons.NodeCount, layers,
            NodeSets(neurons), neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList(),
            FeatureVisualizer.Unsupported(network) is { } reason ? $"unsupported: {reason}" : "supported");
    }

    public static List<NodeSetEntry> NodeSets(NeuronGraph neurons) =>
        neurons.NodeSets.Select(s => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, s.Offset)).ToList();
}
