using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;

namespace Analyzer.Cli.Commands.Cluster;

/// <summary>`analyzer cluster MODEL --edges weights --scope network|layer [-k K] --out FILE`.</summary>
public static class ClusterCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var edges = SharedOptions.Edge();
        var scope = new Option<string>("--scope")
        {
            Description = "network: one partition of all neurons; layer: each hidden layer with its neighbours, k per layer " +
                          "from the network-wide partition",
            DefaultValueFactory = _ => ClusteringScope.Network.Name(),
        }.AcceptOnlyFromAmong([.. ClusteringScopes.All.Select(s => s.Name())]);
        var k = SharedOptions.Clusters();
        var restarts = new Option<int?>("--restarts")
        {
            Description = "k-means restarts (default 25 up to 2000 nodes, else 100)",
        };
        var refine = new Option<string>("--kmeans")
        {
            Description = "k-means: hartigan (Lloyd, then single-point moves that lower the inertia; the restart with the " +
                          "lowest normalized cut wins) or lloyd (Lloyd alone, lowest inertia wins, as scikit-learn)",
            DefaultValueFactory = _ => "hartigan",
        }.AcceptOnlyFromAmong("hartigan", "lloyd");
        var output = new Option<string>("--out", "-o") { Description = "The clustering JSON file to write", Required = true };
        var seed = SharedOptions.Seed();
        var inputShape = SharedOptions.InputShape();
        var threads = SharedOptions.Threads();
        var activations = new ActivationOptions();
        var command = new Command("cluster",
            "Partition the neurons by normalized spectral clustering (docs/method.md §4) and write the labels per layer")
        {
            model, edges, scope, k, restarts, refine, output, inputShape, seed, threads,
        };
        activations.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => ClusterHandler.Run(new ClusterRequest(
            parse.GetValue(model)!, Choices.Parse("Edges", parse.GetValue(edges)!, EdgeKinds.All, EdgeKinds.Name),
            Choices.Parse("Scopes", parse.GetValue(scope)!, ClusteringScopes.All, ClusteringScopes.Name), parse.GetValue(k),
            parse.GetValue(restarts), parse.GetValue(refine) == "lloyd", parse.GetValue(output)!, parse.GetValue(seed),
            activations.Request(parse), SharedOptions.InputShapeOf(parse.GetValue(inputShape))), stdout, stderr), threads));
        return command;
    }
}
