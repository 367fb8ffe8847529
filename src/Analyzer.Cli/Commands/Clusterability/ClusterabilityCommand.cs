using System.CommandLine;

namespace Analyzer.Cli.Commands.Clusterability;

/// <summary>`analyzer clusterability MODEL [-k K] [--shuffles N] [--shuffle all|nonzero] [--seed S] --out FILE`.</summary>
public static class ClusterabilityCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var k = new Option<int?>("-k", "--clusters")
        {
            Description = "Number of clusters (default 16, or 32 for ImageNet-scale inputs)",
        };
        var shuffles = new Option<int>("--shuffles")
        {
            Description = "Shuffled networks to compare with",
            DefaultValueFactory = _ => 20,
        };
        var shuffle = new Option<string>("--shuffle")
        {
            Description = "all: permute every weight of a layer, zeros included; nonzero: permute only the non-zero weights " +
                          "among their positions (keeps a pruned layer's pattern)",
            DefaultValueFactory = _ => "all",
        }.AcceptOnlyFromAmong("all", "nonzero");
        var output = new Option<string>("--out", "-o") { Description = "The clusterability JSON file to write", Required = true };
        var seed = CommonOptions.Seed();
        var threads = CommonOptions.Threads();
        var command = new Command("clusterability",
            "Is the network more clusterable than chance? The n-cut of its weight graph beside the n-cuts of networks with " +
            "each layer's weights shuffled, with the z-score and percentile (docs/method.md §8); needs no data")
        {
            model, k, shuffles, shuffle, output, seed, threads,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => ClusterabilityHandler.Run(new ClusterabilityRequest(
            parse.GetValue(model)!, parse.GetValue(k), parse.GetValue(shuffles), parse.GetValue(shuffle) == "nonzero"
                ? Core.Clusterability.WeightShuffle.NonZero : Core.Clusterability.WeightShuffle.All,
            parse.GetValue(output)!, parse.GetValue(seed)), stdout, stderr), threads));
        return command;
    }
}
