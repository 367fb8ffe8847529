using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Measures;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Pipeline;

/// <summary>What a plan works on, loaded and checked once: the model, its test data (the drawn examples when the plan asks
/// for fewer), the weight graph, k, the subcluster selection and the plan's measures by kind. Shared by a run and by the
/// estimate of one.</summary>
public sealed record AnalysisInputs(ModelNetwork Network, ImageDataset? Test, ImageDataset? Data, BlockGraph WeightGraph, int K,
    SubclusterSelection Selection, IReadOnlyList<string> LesionMeasures, IReadOnlyList<string> VisualisationMeasures, bool CorrelationMeasures)
{
    public static AnalysisInputs Load(AnalysisPlan plan)
    {
        plan.Validate();
        var network = ModelNetwork.Load(plan.Model);
        var selection = SelectionOf(plan, network);
        var test = plan.NeedsData ? DatasetLoader.Load(DatasetSpec.Parse(plan.Data), DatasetSplit.Test, plan.Preprocessing.Geometry, plan.Seed) : null;
        var data = test is null || plan.Examples is null ? test : test.Draw(plan.Examples.Value, plan.Seed);
        var weightGraph = Graphs.WeightGraph.Build(network.Neurons);
        int k = plan.K ?? ScopedPartition.DefaultK(network);
        int valid = weightGraph.Degrees().Count(d => d > 0);
        if (k < 2 || k > valid)
            throw new UsageException($"-k: {k} clusters cannot be formed from {valid} connected nodes; use 2 to {valid}");
        bool correlation = plan.Measures.Any(CorrelationAnalysis.Measures.Contains);
        if (correlation && data!.ExampleSize * (long)data.Count > 100_000_000)
            throw new UsageException($"--measures lateralisation: {data.Count} examples of {data.ExampleSize} values are too many to correlate " +
                "pixel by pixel; it is meant for MNIST-size inputs (halves-mnist), or use --examples");
        return new AnalysisInputs(network, test, data, weightGraph, k, selection, plan.Measures.Where(LesionAnalysis.Measures.Contains).ToList(),
            plan.Measures.Where(VisualisationAnalysis.Measures.Contains).ToList(), correlation);
    }

    /// <summary>--layers, --max-subclusters and --shard as the sampler takes them; an unknown or unanalysed layer is a usage error.</summary>
    private static SubclusterSelection SelectionOf(AnalysisPlan plan, ModelNetwork network)
    {
        if (plan.Layers is null) return new SubclusterSelection(null, plan.MaxSubclusters, plan.Shard);
        var analysed = network.Neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList();
        foreach (string layer in plan.Layers.Where(l => !analysed.Contains(l)))
            throw new UsageException($"--layers: '{layer}' is not an analysed node set of {DisplayPath.Of(plan.Model)}; " +
                $"choose from: {string.Join(", ", analysed)}");
        return new SubclusterSelection(plan.Layers.ToHashSet(), plan.MaxSubclusters, plan.Shard);
    }
}
