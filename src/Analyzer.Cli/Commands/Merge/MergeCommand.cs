using System.CommandLine;

namespace Analyzer.Cli.Commands.Merge;

/// <summary>`analyzer merge SHARD_DIRS... --out DIR`: the results of a sharded run.</summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var folders = new Argument<string[]>("shard-dirs")
        {
            Description = "The folders that `analyze --shard I/N` (or `screen --shard I/N`) wrote, one per shard, in any order",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string>("--out", "-o") { Description = "Folder for the merged results", Required = true };
        var command = new Command("merge",
            "Merge the shards of a sharded run into the results a single run writes (results.json byte for byte, table.md, " +
            "report.html, the figures); for `screen` shards, every model's results and the comparison. A missing or unfinished " +
            "shard is named so that it alone can be run again.")
        {
            folders, output,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            MergeHandler.Run(parse.GetValue(folders)!, parse.GetValue(output)!, stdout, stderr)));
        return command;
    }
}
