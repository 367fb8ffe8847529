using Analyzer.Core.Errors;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Figures;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;
using Analyzer.Core.Files;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>What `analyze` was asked to do.</summary>
public sealed record AnalyzeRequest(string Model, string Data, Preprocessing Preprocessing, string[] Edges, string[] Scopes,
    string[] Measures, int? K, int Random, string? Out, int Seed, ExecutionDevice Device, int Threads, int MemoryBudgetMiB,
    bool Fresh, string? Compat = null, int Samples = 5000, int? Examples = null, string[]? Layers = null, int? MaxSubclusters = null,
    bool Plan = false, bool Json = false, ShardSpec? Shard = null)
{
    /// <summary>The output folder: --out, else results/MODEL-NAME.</summary>
    public string OutDir => Out ?? Path.Combine("results", Path.GetFileNameWithoutExtension(Model));

    /// <summary>The pipeline's plan for this request.</summary>
    public AnalysisPlan ToPlan() => new()
    {
        Model = Model, Data = Data, Preprocessing = Preprocessing, Edges = Edges, Scopes = Scopes, Measures = Measures, K = K,
        Random = Random, Seed = Seed, Device = Device, Threads = Threads, MemoryBudgetMiB = MemoryBudgetMiB, Compat = Compat,
        Samples = Samples, Examples = Examples, Layers = Layers, MaxSubclusters = MaxSubclusters, Shard = Shard, Out = OutDir, Fresh = Fresh,
    };
}

/// <summary>
/// Runs the pipeline (<see cref="AnalysisRun"/>), which saves each finished partitioning under OUT/partitionings/ so that a
/// rerun resumes, then writes results.json, table.md and report.html; a shard writes shard.json for `merge` instead.
/// </summary>
public static class AnalyzeHandler
{
    public static int Run(AnalyzeRequest request, TextWriter output, TextWriter error)
    {
        if (request.Json && !request.Plan)
            throw new UsageException("--json: only with --plan (a run writes results.json)");
        if (!File.Exists(request.Model) && request.Model == AnalyzeCommand.DefaultModel)
            throw new UsageException($"no model given and {AnalyzeCommand.DefaultModel} is not here; run from the repository root or name a model");
        var plan = request.ToPlan();
        plan.Validate();
        if (request.Plan)
            return AnalyzePlanner.Run(request, plan, output, error);
        string outDir = request.OutDir;
        OutputLocation.Folder(outDir);
        var outcome = new AnalysisRun(plan, error, new ResultsFolderFigures(outDir, request.Preprocessing.Bgr)).Execute();
        if (outcome.Shard is { } shard)
        {
            JsonFiles.Write(Path.Combine(outDir, "shard.json"), outcome.ShardDocument());
            error.WriteLine($"wrote shard {shard} to {CommandRunner.Display(outDir)}; `analyzer merge` the {shard.Count} shard folders for the results");
            return ExitCodes.Success;
        }
        return ResultsFiles.Write(outDir, outcome.Results(), output, error);
    }
}
