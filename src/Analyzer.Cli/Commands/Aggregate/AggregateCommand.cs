using System.CommandLine;

namespace Analyzer.Cli.Commands.Aggregate;

/// <summary>`analyzer aggregate DIR... --out DIR`: replicates to one table.</summary>
public static class AggregateCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("results") { Description = "Result directories of identically trained replicates (each with results.json)", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Output directory for the combined results.json and table.md", Required = true };
        var command = new Command("aggregate",
            "Combine replicates (docs/method.md §7): mean Fisher statistic, Bates p-value of the mean p, effects pooled over all " +
            "subclusters, Benjamini-Hochberg over the table")
        {
            dirs, output,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            AggregateHandler.Run(parse.GetValue(dirs)!, parse.GetValue(output)!, stdout, stderr)));
        return command;
    }
}
