using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Progress;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>
/// Runs the plan (<see cref="AnalysisRun"/>, which saves each finished partitioning under OUT/partitionings/ so that a
/// rerun resumes, then writes results.json, table.md and report.html, or a shard's shard.json), or only estimates it
/// (<see cref="AnalysisEstimate"/>).
/// </summary>
public static class AnalyzeHandler
{
    public static int Run(AnalysisPlan plan, bool estimate, bool json, TextWriter output, TextWriter error)
    {
        if (json && !estimate)
            throw new UsageException("--json: only with --plan (a run writes results.json)");
        if (!File.Exists(plan.Model) && plan.Model == AnalyzeOptions.DefaultModel)
            throw new UsageException($"no model given and {AnalyzeOptions.DefaultModel} is not here; run from the repository root or name a model");
        plan.Validate();
        if (estimate)
        {
            var document = AnalysisEstimate.Run(plan, error, ProcessClock.Seconds());
            output.Write(json ? JsonFiles.Serialize(document) + Environment.NewLine : EstimateTable.Markdown(document));
            return ExitCodes.Success;
        }
        OutputLocation.Folder(plan.Out);
        var outcome = AnalysisRun.Complete(plan, error, ResultsFolderWriter.Instance);
        if (outcome.Shard is { } shard)
        {
            error.WriteLine($"wrote shard {shard} to {CommandRunner.Display(plan.Out)}; `analyzer merge` the {shard.Count} shard folders for the results");
            return ExitCodes.Success;
        }
        output.Write(ResultsTable.Markdown(outcome.Results()));
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(plan.Out, AnalysisFolder.ResultsFile))}, table.md and report.html");
        if (plan.Strict) ResultWarnings.ThrowIfAny([(CommandRunner.Display(plan.Model), outcome.Results().Warnings)]);
        return ExitCodes.Success;
    }
}
