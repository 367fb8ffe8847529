using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Aggregate;

/// <summary>Reads the replicates' results, combines them (<see cref="ReplicateAggregate"/>) and writes the table.</summary>
public static class AggregateHandler
{
    public static int Run(string[] dirs, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var replicates = dirs.Select(d => (Path.Combine(d, AnalysisFolder.ResultsFile), AnalysisFolder.Results(d))).ToList();
        var results = ReplicateAggregate.Combine(replicates, warning => error.WriteLine($"warning: {warning}"));
        ResultsFolderWriter.Instance.Results(outDir, results);
        output.Write(ResultsTable.Markdown(results));
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, AnalysisFolder.ResultsFile))}, table.md and report.html");
        return ExitCodes.Success;
    }
}
