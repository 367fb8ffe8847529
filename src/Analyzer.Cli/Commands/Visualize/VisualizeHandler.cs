using Analyzer.Core.Pipeline;
using Analyzer.Core.Memory;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;
using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx.Inference;
using Analyzer.Core.Files;
using Analyzer.Reporting.Images;

namespace Analyzer.Cli.Commands.Visualize;

/// <summary>What `visualize` was asked to do.</summary>
public sealed record VisualizeRequest(string Model, Preprocessing Preprocessing, string Sets, string Out, int Steps, int Seed,
    ExecutionDevice Device, int Threads, MemoryBudget MemoryBudget);

/// <summary>Reads the sets, optimises one image per set (all together) and writes the PNGs and scores.json.</summary>
public static class VisualizeHandler
{
    public static int Run(VisualizeRequest request, TextWriter output, TextWriter error)
    {
        if (request.Steps < 1) throw new UsageException($"--steps: {request.Steps}; expected at least 1");
        OutputLocation.Folder(request.Out);
        var network = ModelNetwork.Load(request.Model);
        var sets = UnitSetsFile.Read(request.Sets, network);
        if (sets.Count == 0) throw new DataFormatException($"{request.Sets}: the file names no sets");
        var points = PreActivationPoints.Find(network).ToDictionary(p => p.NodeSet.Index);
        var objectives = sets.Select(s => new VisualisationObjective(s.Id, points[s.NodeSet.Index], s.Units,
            StableSeed.Of(request.Seed, $"visualize/{s.Id}", s.NodeSet.Index, 0))).ToList();
        var options = new VisualisationOptions
        {
            Steps = request.Steps,
            Device = request.Device,
            Threads = request.Threads,
            MemoryBudget = request.MemoryBudget,
        };
        using var visualizer = new FeatureVisualizer(network, request.Preprocessing, options, Notes.Once(error));
        var progress = new ProgressLine(error, $"visualize: {sets.Count} sets", (long)sets.Count * request.Steps);
        var results = visualizer.Run(objectives, done => progress.Advance(done));
        var entries = VisualisationFiles.Write(request.Out, sets.Select(s => (s.Id, s.Layer, (IReadOnlyList<int>)s.Units)).ToList(), results,
            request.Preprocessing.Bgr);
        var document = new ScoresDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version, request.Seed,
            visualizer.Provider, request.Steps, entries);
        string scores = Path.Combine(request.Out, "scores.json");
        JsonFiles.Write(scores, document);
        foreach (var e in entries)
            output.WriteLine($"{e.Id} ({e.Layer}, {e.Units.Count} units): vis-score {e.Score:G5}, softmax entropy {e.Entropy:F4} -> {e.Image}");
        error.WriteLine($"wrote {CommandRunner.Display(scores)} and {entries.Count} PNG files ({visualizer.Provider})");
        return ExitCodes.Success;
    }
}
