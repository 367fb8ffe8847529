using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Measures;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;

namespace Analyzer.Core.Pipeline;

/// <summary>What a plan works on, loaded and checked once: the model, its test data (the drawn examples when the plan asks
/// for fewer), the weight graph, k, the subcluster selection and the plan's measures by family. Shared by a run and by
/// the estimate of one.</summary>
public sealed record AnalysisInputs(ModelNetwork Network, ImageDataset? Test, ImageDataset? Data, BlockGraph WeightGraph, int K,
    SubclusterSelection Selection, IReadOnlyList<LesionMeasure> LesionMeasures, IReadOnlyList<VisualisationMeasure> VisualisationMeasures,
    bool CorrelationMeasures)
{
    /// <summary>Examples x values that a correlation measure may correlate pixel by pixel (MNIST's test split is 7.8 M).</summary>
    private const long MaxCorrelatedValues = 100_000_000;

    public static AnalysisInputs Load(AnalysisPlan plan)
    {
        plan.Validate();
        var network = ModelNetwork.Load(plan.Model);
        var selection = SelectionOf(plan, network);
        var (test, data) = plan.NeedsData ? DatasetLoader.TestExamples(plan.Data, plan.Preprocessing.Geometry, plan.Seed, plan.Examples) : default;
        var weightGraph = Graphs.WeightGraph.Build(network.Neurons);
        int k = ClusterCount.Resolve(plan.K, network, weightGraph);
        bool correlation = plan.Measures.OfType<CorrelationMeasure>().Any();
        if (correlation && data!.ExampleSize * (long)data.Count > MaxCorrelatedValues)
            throw new UsageException(nameof(plan.Measures), $"lateralisation: {data.Count} examples of {data.ExampleSize} values are too many to " +
                "correlate pixel by pixel; it is meant for MNIST-size inputs (halves-mnist), or draw fewer examples");
        return new AnalysisInputs(network, test, data, weightGraph, k, selection, plan.Measures.OfType<LesionMeasure>().ToList(),
            plan.Measures.OfType<VisualisationMeasure>().ToList(), correlation);
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
