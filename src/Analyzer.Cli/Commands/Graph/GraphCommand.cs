using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>`analyzer graph MODEL --edges weights --out DIR`: writes adjacency.npy and nodes.json.</summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var edges = SharedOptions.Edge();
        var output = new Option<string>("--out", "-o") { Description = "Directory for the adjacency and nodes.json", Required = true };
        var format = new Option<string>("--format")
        {
            Description = $"adjacency.npy (dense float64 n x n), adjacency.npz (scipy.sparse CSR, for scipy.sparse.load_npz), or auto: " +
                          $"dense up to {GraphFiles.DenseLimit} nodes, above that whichever file is smaller (sparse for weight graphs)",
            DefaultValueFactory = _ => "auto",
        }.AcceptOnlyFromAmong([.. Enum.GetValues<GraphFormat>().Select(f => Choices.Kebab(f.ToString()))]);
        var seed = SharedOptions.Seed();
        var inputShape = SharedOptions.InputShape();
        var threads = SharedOptions.Threads();
        var activations = new ActivationOptions();
        var command = new Command("graph",
            "Build the neuron graph (docs/method.md 1-3) and write it: adjacency.npy (float64 n x n, symmetric, zero " +
            "diagonal; adjacency.npz, scipy's sparse CSR, for large graphs) and nodes.json (node sets in canonical order, invalid nodes)")
        {
            model, edges, output, format, inputShape, seed, threads,
        };
        activations.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            GraphHandler.Run(parse.GetValue(model)!, Choices.Parse("Edges", parse.GetValue(edges)!, EdgeKinds.All, EdgeKinds.Name),
                parse.GetValue(output)!, parse.GetValue(seed), activations.Request(parse),
                Enum.GetValues<GraphFormat>().First(f => Choices.Kebab(f.ToString()) == parse.GetValue(format)), stdout, stderr,
                SharedOptions.InputShapeOf(parse.GetValue(inputShape))), threads));
        return command;
    }
}
