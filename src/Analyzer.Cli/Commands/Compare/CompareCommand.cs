using System.CommandLine;
using Analyzer.Cli.Options;

namespace Analyzer.Cli.Commands.Compare;

/// <summary>`analyzer compare DIR_A DIR_B ... --out DIR`.</summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("dirs") { Description = "Folders that analyze wrote (each holds results.json)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Folder for comparison.md and comparison.json", Required = true };
        var seed = SharedOptions.Seed();
        var command = new Command("compare",
            "Compare finished analyses side by side: Fisher statistics, p-values, effects, n-cut and clusterability (when a folder " +
            "holds clusterability.json) per model and partitioning, and for every pair of models a permutation test of the " +
            "difference of their Fisher statistics (docs/method.md §7)")
        {
            folders, output, seed,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            CompareHandler.Run(parse.GetValue(folders)!, parse.GetValue(output)!, parse.GetValue(seed), stdout, stderr)));
        return command;
    }
}
