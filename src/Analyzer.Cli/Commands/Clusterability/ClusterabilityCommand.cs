using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Clusterability;

/// <summary>`analyzer clusterability MODEL [-k K] [--shuffles N] [--shuffle all|nonzero] [--seed S] --out FILE`.</summary>
public static class ClusterabilityCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var k = SharedOptions.Clusters();
        var shuffles = SharedOptions.Shuffles(ClusterabilityPlan.DefaultShuffles);
        var shuffle = SharedOptions.Shuffle();
        var output = new Option<string>("--out", "-o") { Description = "The clusterability JSON file to write", Required = true };
        var seed = SharedOptions.Seed();
        var threads = SharedOptions.Threads();
        var inputShape = SharedOptions.InputShape();
        var command = new Command("clusterability",
            "Is the network more clusterable than chance? The n-cut of its weight graph beside the n-cuts of networks with " +
            "each layer's weights shuffled, with the z-score and percentile (docs/method.md §8); needs no data")
        {
            model, k, shuffles, shuffle, output, inputShape, seed, threads,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => ClusterabilityHandler.Run(new ClusterabilityPlan(
            parse.GetValue(model)!, parse.GetValue(k), parse.GetValue(shuffles), SharedOptions.ShuffleOf(parse.GetValue(shuffle)), parse.GetValue(seed),
            SharedOptions.InputShapeOf(parse.GetValue(inputShape))),
            parse.GetValue(output)!, stdout, stderr), threads));
        return command;
    }
}
