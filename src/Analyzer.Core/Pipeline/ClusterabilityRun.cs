using Analyzer.Core.Clusterability;
using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Networks;
using Analyzer.Core.Progress;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>What a clusterability test is asked to do (docs/method.md §8): the model, k (null: the default), how many
/// shuffled networks, which weights a shuffle moves, and the seed.</summary>
public sealed record ClusterabilityPlan(string Model, int? K = null, int Shuffles = ClusterabilityPlan.DefaultShuffles,
    WeightShuffle Shuffle = WeightShuffle.All, int Seed = 0, Onnx.InputShapes? InputShapes = null)
{
    public const int DefaultShuffles = 20;
}

/// <summary>The clusterability test of a model's weight graph, as `clusterability` and `screen` run it: its n-cut beside
/// those of networks with each layer's weights shuffled, with z and percentile. Needs no data.</summary>
public static class ClusterabilityRun
{
    public static ClusterabilityDocument Run(ClusterabilityPlan plan, TextWriter log)
    {
        if (plan.Shuffles < 2)
            throw new UsageException(nameof(plan.Shuffles), $"{plan.Shuffles}; at least 2 shuffled networks are needed for a z-score");
        var network = ModelNetwork.Load(plan.Model, plan.InputShapes);
        var graph = WeightGraph.Build(network.Neurons);
        int k = ClusterCount.Resolve(plan.K, network, graph);
        string shuffle = Name(plan.Shuffle);
        var progress = new ProgressLine(log, $"clustering {graph.N} nodes into {k} clusters, then {plan.Shuffles} networks shuffled ({shuffle})",
            plan.Shuffles + 1);
        progress.Advance(0);
        var result = ClusterabilityTest.Run(graph, k, new SpectralOptions(), plan.Shuffles, plan.Shuffle, plan.Seed, () => progress.Advance(1));
        double? z = double.IsNaN(result.Z) ? null : result.Z;
        var layers = network.Neurons.Trace.Layers;
        return new ClusterabilityDocument(DisplayPath.Of(plan.Model), network.Sha256, AnalyzerInfo.Version, plan.Seed, k, result.NormalizedCut,
            result.Labels, shuffle, result.ShuffledCuts, z, result.Percentile,
            ClusterabilityReading.Of(z, result.Percentile, plan.Shuffles, layers.Count(l => l.Convolution), layers.Count));
    }

    /// <summary>The shuffle's name in files and on the command line: all, nonzero.</summary>
    public static string Name(WeightShuffle shuffle) => shuffle == WeightShuffle.All ? "all" : "nonzero";
}
