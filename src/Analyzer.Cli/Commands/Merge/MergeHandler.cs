using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Comparison;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Merge;

/// <summary>Merges the shards (<see cref="ShardMerge"/>) into the files a single run writes: an analysis's results and
/// figures, or, for shards of `screen`, every model's and the comparison.</summary>
public static class MergeHandler
{
    public static int Run(string[] folders, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        if (ShardMerge.AreScreenShards(folders))
        {
            output.Write(ComparisonFiles.Write(outDir, ShardMerge.Screen(folders, outDir, ResultsFolderWriter.Instance, error)));
            error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "comparison.md"))} and comparison.json");
            return ExitCodes.Success;
        }
        var results = ShardMerge.Analysis(folders, outDir, ResultsFolderWriter.Instance, error);
        output.Write(ResultsTable.Markdown(results));
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, AnalysisFolder.ResultsFile))}, table.md and report.html");
        return ExitCodes.Success;
    }
}
