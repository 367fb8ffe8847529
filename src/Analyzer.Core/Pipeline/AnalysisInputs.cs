using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Results;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx;

namespace Analyzer.Core.Pipeline;

/// <summary>What a plan works on, loaded and checked once: the model, its test data (the drawn examples when the plan asks
/// for fewer), the weight graph, k, the subcluster selection and the plan's measures by family. Shared by a run and by
/// the estimate of one.</summary>
/// <param name="Measures">The measures the run takes: the plan's, less those that cannot apply to the model when they
/// were taken by default (<see cref="SkippedMeasures"/>).</param>
public sealed record AnalysisInputs(ModelNetwork Network, ImageDataset? Test, ImageDataset? Data, BlockGraph WeightGraph, int K,
    SubclusterSelection Selection, IReadOnlyList<Measure> Measures, IReadOnlyList<LesionMeasure> LesionMeasures,
    IReadOnlyList<VisualisationMeasure> VisualisationMeasures, bool CorrelationMeasures, IReadOnlyList<SkippedMeasureEntry> SkippedMeasures)
{
    /// <summary>Examples x values that a correlation measure may correlate pixel by pixel (MNIST's test split is 7.8 M).</summary>
    private const long MaxCorrelatedValues = 100_000_000;

    public static AnalysisInputs Load(AnalysisPlan plan)
    {
        plan.Validate();
        var (test, data) = plan.NeedsData ? DatasetLoader.TestExamples(plan.Data, plan.Preprocessing.Geometry, plan.Seed, plan.Examples) : default;
        var network = ModelNetwork.Load(plan.Model, plan.InputShapes ?? (data is null ? null : InputShapeSpec.FromData(data)));
        var selection = SelectionOf(plan, network);
        var weightGraph = Graphs.WeightGraph.Build(network.Neurons);
        int k = ClusterCount.Resolve(plan.K, network, weightGraph);
        var (measures, skippedMeasures) = Applicable(plan, network);
        bool correlation = measures.OfType<CorrelationMeasure>().Any();
        if (correlation && data!.ExampleSize * (long)data.Count > MaxCorrelatedValues)
            throw new UsageException(nameof(plan.Measures), $"lateralisation: {data.Count} examples of {data.ExampleSize} values are too many to " +
                "correlate pixel by pixel; it is meant for MNIST-size inputs (halves-mnist), or draw fewer examples");
        return new AnalysisInputs(network, test, data, weightGraph, k, selection, measures, measures.OfType<LesionMeasure>().ToList(),
            measures.OfType<VisualisationMeasure>().ToList(), correlation, skippedMeasures);
    }

    /// <summary>The plan's measures that apply to the model. One that cannot apply (feature visualisation of a model it
    /// cannot differentiate) is left out with the reason when the measures were taken by default, and stops the run with
    /// that reason when they were named.</summary>
    private static (IReadOnlyList<Measure> Measures, IReadOnlyList<SkippedMeasureEntry> Skipped) Applicable(AnalysisPlan plan, ModelNetwork network)
    {
        var skipped = new List<SkippedMeasureEntry>();
        if (plan.Measures.Any(m => m.NeedsGradients) && FeatureVisualizer.Unsupported(network) is { } reason)
        {
            if (plan.MeasuresNamed)
                throw new ModelFormatException($"{DisplayPath.Of(plan.Model)}: {reason}");
            skipped.AddRange(plan.Measures.Where(m => m.NeedsGradients).Select(m => new SkippedMeasureEntry(m.Name,
                $"feature visualisation cannot run on this model: {reason}")));
        }
        var names = skipped.Select(s => s.Measure).ToHashSet();
        var kept = plan.Measures.Where(m => !names.Contains(m.Name)).ToList();
        if (kept.Count == 0)
            throw new ModelFormatException($"{DisplayPath.Of(plan.Model)}: no measure asked for applies to the model ({skipped[0].Reason})");
        return (kept, skipped);
    }

    /// <summary>The plan's layers, subcluster limit and shard as the sampler takes them; an unknown or unanalysed layer is a
    /// usage error.</summary>
    private static SubclusterSelection SelectionOf(AnalysisPlan plan, ModelNetwork network)
    {
        if (plan.Layers is null) return new SubclusterSelection(null, plan.MaxSubclusters, plan.Shard);
        var analysed = network.Neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList();
        foreach (string layer in plan.Layers.Where(l => !analysed.Contains(l)))
            throw new UsageException(nameof(plan.Layers), $"'{layer}' is not an analysed node set of {DisplayPath.Of(plan.Model)}; " +
                $"choose from: {string.Join(", ", analysed)}");
        return new SubclusterSelection(plan.Layers.ToHashSet(), plan.MaxSubclusters, plan.Shard);
    }
}
