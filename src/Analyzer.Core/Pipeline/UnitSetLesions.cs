using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Core.Lesions;
using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Results;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>What `lesion` is asked to do: remove each set of a sets file (or each cluster of a clustering file) from the
/// model and measure it on the test split, or on <see cref="Examples"/> examples drawn from it.</summary>
public sealed record LesionPlan(string Model, string Data, string Sets, Preprocessing? Preprocessing = null, int Seed = 0,
    ExecutionDevice Device = ExecutionDevice.Auto, int Threads = 0, MemoryBudget? MemoryBudget = null, int? Examples = null,
    LabelSource? Labels = null, Onnx.InputShapes? InputShapes = null);

/// <summary>The lesions of given unit sets (docs/method.md §6): each set's units read as zero, the lesioned model's
/// accuracy overall and per class, its accuracy drop, class-wise drops and their range.</summary>
public static class UnitSetLesions
{
    public static LesionDocument Run(LesionPlan plan, TextWriter log)
    {
        var preprocessing = plan.Preprocessing ?? Preprocessing.Default;
        var (test, data) = DatasetLoader.TestExamples(plan.Data, preprocessing.Geometry, plan.Seed, plan.Examples);
        var network = ModelNetwork.Load(plan.Model, plan.InputShapes ?? InputShapeSpec.FromData(data));
        var sets = UnitSetsFile.Read(plan.Sets, network).Select(s => (Set: new LesionSet(s.Id, s.NodeSet.Index, s.Units), s.Layer)).ToList();
        var note = Notes.Once(log);
        network.NoteAdaptations(note, plan.InputShapes is null);
        using var engine = new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = preprocessing,
            Device = plan.Device,
            Threads = plan.Threads,
            MemoryBudget = plan.MemoryBudget ?? MemoryBudget.Default,
            Note = note,
            OutputChange = true,
        });
        var labels = LabelSources.Resolve(plan.Labels, data);
        var baseline = engine.Baseline();
        if (labels != LabelSource.Data)
        {
            engine.ScoreAgainst(labels);
            baseline = engine.Baseline();
        }
        foreach (var warning in new[] { ResultWarnings.Baseline(labels, baseline.Accuracy, engine.Classes), ResultWarnings.Labels(labels, data.Labels, engine.Classes) })
            if (warning is not null) note(warning.Message);
        var progress = new ProgressLine(log, "lesions", (long)sets.Count * data.Count);
        var outcomes = engine.Evaluate(sets.Select(s => s.Set).ToList(), done => progress.Advance(done));
        var results = sets.Zip(outcomes, (s, o) =>
        {
            var drops = LesionMeasures.ClassDrops(baseline, o);
            return new LesionSetResult(s.Set.Id, s.Layer, s.Set.Units.Length, o.Accuracy, LesionMeasures.AccuracyDrop(baseline, o),
                drops, LesionMeasures.ClassRange(drops), o.OutputChange);
        }).ToList();
        return new LesionDocument(DisplayPath.Of(plan.Model), network.Sha256, AnalyzerInfo.Version, plan.Seed, plan.Data, engine.Provider,
            data.Count, new LesionBaseline(baseline.Accuracy, baseline.ClassAccuracy), results, data.Count < test.Count ? test.Count : null,
            PreprocessingEntry.Of(preprocessing), labels.Name(), network.InputShapesEntry());
    }
}
