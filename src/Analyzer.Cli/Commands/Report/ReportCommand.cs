using System.CommandLine;

namespace Analyzer.Cli.Commands.Report;

/// <summary>`analyzer report DIR [--out FILE]`.</summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("dir") { Description = "A folder that analyze or aggregate wrote (it holds results.json)" };
        var output = new Option<string?>("--out", "-o") { Description = "The HTML file to write (default: DIR/report.html)" };
        var command = new Command("report",
            "Write one self-contained HTML page of a finished run: tables, percentile histograms, sorted adjacencies, " +
            "visualisation and correlation grids, clusterability (when DIR holds clusterability.json) and the run's metadata; " +
            "images are embedded, so the page opens anywhere without network access")
        {
            folder, output,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) =>
            ReportHandler.Run(parse.GetValue(folder)!, parse.GetValue(output), stdout, stderr)));
        return command;
    }
}
