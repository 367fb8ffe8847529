using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Html;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli;

/// <summary>A finished run's files: results.json, table.md (also printed) and report.html, written by `analyze` and `merge`.</summary>
public static class ResultsFiles
{
    public static int Write(string outDir, ResultsDocument results, TextWriter output, TextWriter error)
    {
        JsonFiles.Write(Path.Combine(outDir, "results.json"), results);
        string table = ResultsTable.Markdown(results);
        AtomicFile.WriteAllText(Path.Combine(outDir, "table.md"), table);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), ReportPage.Build(outDir, results));
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "results.json"))}, table.md and report.html");
        return ExitCodes.Success;
    }
}
