using Analyzer.Core.Pipeline;
using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Onnx.Inference;
using Analyzer.Core.Files;
using Analyzer.Core.Results;

namespace Analyzer.Cli.Commands.Lesion;

/// <summary>What `lesion` was asked to do.</summary>
public sealed record LesionRequest(string Model, string Data, Preprocessing Preprocessing, string Sets, string Out, int Seed,
    ExecutionDevice Device, int Threads, MemoryBudget MemoryBudget, int? Examples = null);

/// <summary>Reads the sets, runs the lesions on the test split and writes the lesion JSON.</summary>
public static class LesionHandler
{
    public static int Run(LesionRequest request, TextWriter output, TextWriter error)
    {
        OutputLocation.File(request.Out);
        var network = ModelNetwork.Load(request.Model);
        var sets = UnitSetsFile.Read(request.Sets, network).Select(s => (Set: new LesionSet(s.Id, s.NodeSet.Index, s.Units), s.Layer)).ToList();
        var (test, data) = DatasetLoader.TestExamples(request.Data, request.Preprocessing.Geometry, request.Seed, request.Examples);
        using var engine = new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = request.Preprocessing,
            Device = request.Device,
            Threads = request.Threads,
            MemoryBudget = request.MemoryBudget,
            Note = Notes.Once(error),
        });
        var baseline = engine.Baseline();
        var progress = new ProgressLine(error, "lesions", (long)sets.Count * data.Count);
        var outcomes = engine.Evaluate(sets.Select(s => s.Set).ToList(), done => progress.Advance(done));
        var results = sets.Zip(outcomes, (s, o) =>
        {
            var drops = LesionMeasures.ClassDrops(baseline, o);
            return new LesionSetResult(s.Set.Id, s.Layer, s.Set.Units.Length, o.Accuracy, LesionMeasures.AccuracyDrop(baseline, o),
                drops, LesionMeasures.ClassRange(drops));
        }).ToList();
        var document = new LesionDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version, request.Seed,
            request.Data, engine.Provider, data.Count, new LesionBaseline(baseline.Accuracy, baseline.ClassAccuracy), results,
            data.Count < test.Count ? test.Count : null, PreprocessingEntry.Of(request.Preprocessing));
        JsonFiles.Write(request.Out, document);
        output.WriteLine($"{CommandRunner.Display(request.Out)}: {results.Count} sets on {data.Count} examples; baseline accuracy {baseline.Accuracy:F4} ({engine.Provider})");
        return ExitCodes.Success;
    }
}
