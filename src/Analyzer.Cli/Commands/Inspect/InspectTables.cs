using Analyzer.Core.Results;
using Spectre.Console;

namespace Analyzer.Cli.Commands.Inspect;

/// <summary>`inspect` for people: the layers, the node sets, the operators and whether the model can be visualised, as
/// plain-text tables.</summary>
public static class InspectTables
{
    public static void Write(InspectDocument document, TextWriter output)
    {
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
    }

    public static void WriteOperators(IReadOnlyList<InspectOperator> operators, TextWriter output) => Console(output).Write(OperatorTable(operators));

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

    /// <summary>The producing layers for a table cell: "model input" when none, the first two and a count past that.</summary>
    private static string Producers(IReadOnlyList<string>? layers) => layers switch
    {
        null or [] => "model input",
        { Count: <= 2 } => string.Join(" + ", layers),
        _ => $"{layers[0]} + {layers[1]} + {layers.Count - 2} more",
    };
}
