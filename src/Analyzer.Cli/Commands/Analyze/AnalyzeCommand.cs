using System.CommandLine;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>`analyzer analyze [MODEL] [--data SPEC] [--scope] [--measures] [-k] [--random 19] [--out DIR]`: the whole
/// pipeline.</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var options = new AnalyzeOptions();
        var plan = new Option<bool>("--plan")
        {
            Description = "Print the work (partitionings, lesions, forward passes, visualisation steps) and estimates of the time " +
                          "and peak memory on this machine, from short timed samples of the real work, without running it",
        };
        var json = new Option<bool>("--json") { Description = "With --plan: print the plan as one JSON object" };
        var command = new Command("analyze",
            "Run the whole pipeline: cluster the network (weights and activations; network and layer scope), lesion every subcluster and " +
            "its random controls, and report Fisher statistics, p-values and effects like the paper's Tables 1 and 2 " +
            "(results.json, table.md). Interrupted runs resume where they stopped.");
        options.AddTo(command);
        command.Options.Add(plan);
        command.Options.Add(json);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            AnalyzeHandler.Run(options.Plan(parse), parse.GetValue(plan), parse.GetValue(json), stdout, stderr), options.Threads));
        return command;
    }
}
