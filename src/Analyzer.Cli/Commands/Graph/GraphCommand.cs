using System.CommandLine;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>`analyzer graph MODEL --edges weights --out DIR`: writes adjacency.npy and nodes.json.</summary>
public static class GraphCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var edges = CommonOptions.Edges();
        var output = new Option<string>("--out", "-o") { Description = "Directory for adjacency.npy and nodes.json", Required = true };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var activations = new ActivationOptions();
        var command = new Command("graph",
            "Build the neuron graph (METHOD.md 1-2) and write it: adjacency.npy (float64 n x n, symmetric, zero " +
            "diagonal) and nodes.json (node sets in canonical order, invalid nodes)")
        {
            model, edges, output, seed, threads,
        };
        activations.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            GraphHandler.Run(parse.GetValue(model)!, parse.GetValue(edges)!, parse.GetValue(output)!, parse.GetValue(seed),
                activations.Request(parse), stdout, stderr), threads));
        return command;
    }
}
