using Analyzer.Core.Files;
using Analyzer.Core.Datasets;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Where the workflows put what people read (docs/design.md, the pipeline): the pictures of an analysis while it runs,
/// and the files of a finished analysis or aggregate. Core computes; the writer renders and writes (the command line's
/// writes results.json, table.md, report.html and PNG files; <see cref="JsonResultsWriter"/> writes results.json alone).
/// </summary>
public interface IResultsWriter
{
    /// <summary>The sink for the pictures of the analysis whose folder is <paramref name="folder"/>.</summary>
    IAnalysisFigures Figures(string folder, Preprocessing preprocessing);

    /// <summary>Writes finished results into <paramref name="folder"/>.</summary>
    void Results(string folder, ResultsDocument results);
}

/// <summary>results.json and no pictures: for library users who render nothing.</summary>
public sealed class JsonResultsWriter : IResultsWriter
{
    public static readonly JsonResultsWriter Instance = new();

    public IAnalysisFigures Figures(string folder, Preprocessing preprocessing) => NoFigures.Instance;

    public void Results(string folder, ResultsDocument results) =>
        JsonFiles.Write(Path.Combine(folder, AnalysisFolder.ResultsFile), results);
}
