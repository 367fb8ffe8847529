using System.CommandLine;
using Analyzer.Cli.Options;

namespace Analyzer.Cli.Commands.Screen;

/// <summary>`analyzer screen MANIFEST --out DIR`.</summary>
public static class ScreenCommand
{
    public static Command Create()
    {
        var manifest = new Argument<string>("manifest")
        {
            Description = "JSON: {\"models\": [{\"model\": PATH, \"data\": SPEC, \"name\", \"scale\", \"mean\", \"std\"}], ...}; any other " +
                          "top-level key is an analyze option under its long name applied to every model (\"edges\": [\"weights\"], " +
                          "\"measures\": [...], \"max-subclusters\": 4, \"seed\": 2, ...); \"clusterability\": N shuffles (default 10, 0 off). " +
                          "A model without data gets the measures that need none",
        };
        var output = new Option<string>("--out", "-o") { Description = "Folder: one analyze folder per model, comparison.md and comparison.json", Required = true };
        var threads = SharedOptions.Threads();
        var shard = SharedOptions.Shard(
            "Run only share I of N (from 0) of every model's work, and the clusterability tests of every N-th model; " +
            "`analyzer merge` of the N folders gives every model's results and the comparison");
        var command = new Command("screen",
            "Analyze every model a manifest lists with the same options, then compare them side by side (comparison.md, " +
            "comparison.json). Interrupted screens resume where they stopped")
        {
            manifest, output, threads, shard,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
        {
            var plan = ScreenManifest.Read(parse.GetValue(manifest)!, parse.GetValue(output)!);
            return ScreenHandler.Run(plan with { Options = plan.Options with { Threads = parse.GetValue(threads), Shard = SharedOptions.ShardOf(parse.GetValue(shard)) } },
                stdout, stderr);
        }, threads));
        return command;
    }
}
