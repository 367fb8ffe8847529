using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;
using Analyzer.Reporting.Figures;
using Analyzer.Reporting.Html;
using Analyzer.Reporting.Tables;

namespace Analyzer.Reporting.Files;

/// <summary>What a finished analysis or aggregate leaves in its folder for people and programs: results.json, table.md,
/// report.html, and the PNG figures the report embeds (visualisations/, correlations/, figures/).</summary>
public sealed class ResultsFolderWriter : IResultsWriter
{
    public static readonly ResultsFolderWriter Instance = new();

    public IAnalysisFigures Figures(string folder, Preprocessing preprocessing) => new ResultsFolderFigures(folder, preprocessing.Bgr);

    public void Results(string folder, ResultsDocument results)
    {
        Directory.CreateDirectory(folder);
        JsonFiles.Write(Path.Combine(folder, AnalysisFolder.ResultsFile), results);
        AtomicFile.WriteAllText(Path.Combine(folder, "table.md"), ResultsTable.Markdown(results));
        AtomicFile.WriteAllText(Path.Combine(folder, "report.html"), ReportPage.Build(folder, results));
    }
}
