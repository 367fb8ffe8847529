using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Html;

namespace Analyzer.Cli.Commands.Report;

/// <summary>Reads DIR/results.json and writes the report page.</summary>
public static class ReportHandler
{
    public static int Run(string folder, string? outFile, TextWriter output, TextWriter error)
    {
        string results = Path.Combine(folder, "results.json");
        if (!File.Exists(results))
            throw new DataFormatException($"{CommandRunner.Display(results)}: not found; give a folder that analyze or aggregate wrote");
        string path = outFile ?? Path.Combine(folder, "report.html");
        OutputLocation.File(path);
        AtomicFile.WriteAllText(path, ReportPage.Build(folder, JsonFiles.Read<ResultsDocument>(results)));
        output.WriteLine($"wrote {CommandRunner.Display(path)} ({new FileInfo(path).Length / 1024} kB)");
        return ExitCodes.Success;
    }
}
