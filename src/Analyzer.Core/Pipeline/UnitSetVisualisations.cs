using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Statistics;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Pipeline;

/// <summary>What `visualize` is asked to do: one image per set of a sets file, optimised for <see cref="Steps"/> Adam steps.</summary>
public sealed record VisualisePlan(string Model, string Sets, Preprocessing? Preprocessing = null, int Steps = VisualisationOptions.DefaultSteps,
    int Seed = 0, ExecutionDevice Device = ExecutionDevice.Auto, int Threads = 0, MemoryBudget? MemoryBudget = null,
    Onnx.InputShapes? InputShapes = null);

/// <summary>The images of a visualisation, one per set in the file's order, and what made them.</summary>
public sealed record SetVisualisations(string ModelSha256, string Provider, IReadOnlyList<UnitSet> Sets, IReadOnlyList<VisualisationResult> Images);

/// <summary>Feature visualisations of given unit sets (docs/method.md §6): each set's image maximises the sum of its
/// units' |pre-activation|, all sets optimised together, each from a seed of its own id.</summary>
public static class UnitSetVisualisations
{
    public static SetVisualisations Run(VisualisePlan plan, TextWriter log)
    {
        if (plan.Steps < 1) throw new UsageException(nameof(plan.Steps), $"{plan.Steps}; expected at least 1");
        var network = ModelNetwork.Load(plan.Model, plan.InputShapes);
        var sets = UnitSetsFile.Read(plan.Sets, network);
        var points = PreActivationPoints.Find(network).ToDictionary(p => p.NodeSet.Index);
        var objectives = sets.Select(s => new VisualisationObjective(s.Id, points[s.NodeSet.Index], s.Units,
            StableSeed.Of(plan.Seed, $"visualize/{s.Id}", s.NodeSet.Index, 0))).ToList();
        var options = new VisualisationOptions
        {
            Steps = plan.Steps,
            Device = plan.Device,
            Threads = plan.Threads,
            MemoryBudget = plan.MemoryBudget ?? MemoryBudget.Default,
        };
        using var visualizer = new FeatureVisualizer(network, plan.Preprocessing ?? Preprocessing.Default, options, Notes.Once(log));
        var progress = new ProgressLine(log, $"visualize: {sets.Count} sets", (long)sets.Count * plan.Steps);
        var images = visualizer.Run(objectives, done => progress.Advance(done));
        return new SetVisualisations(network.Sha256, visualizer.Provider, sets, images);
    }
}
