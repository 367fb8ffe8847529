using System.Diagnostics;
using Analyzer.Core.Activations;
using Analyzer.Core.Clustering;
using Analyzer.Core.Errors;
using Analyzer.Core.Graphs;
using Analyzer.Core.Subclusters;

namespace Analyzer.Core.Pipeline;

/// <summary>A graph of the model's units: its layout, its edges and, for activation edges, the correlations the
/// layer-wise partitions are cut from.</summary>
public sealed record EdgeGraph(GraphLayout Layout, WeightedGraph Graph, ActivationGraph? Activations);

/// <summary>
/// One partitioning as an analysis takes it on: its graph, its partition, every analysed subcluster with its controls
/// (<see cref="All"/>, which fixes each one's position in results.json), those the sampler left out, and this run's share
/// to measure. <see cref="ClusteringSeconds"/> is what clustering took (the network-wide partition counted with the
/// first scope that needed it).
/// </summary>
public sealed record PartitioningWork(EdgeKind Edges, ClusteringScope Scope, EdgeGraph Graph, NetworkPartitioning Partitioning,
    IReadOnlyList<ControlledSubcluster> All, IReadOnlyList<SkippedSubcluster> SamplerSkipped, SampledSubclusters Share,
    double ClusteringSeconds)
{
    public string Key => Share.PartitioningKey;
}

/// <summary>
/// The steps an analysis takes for each partitioning, shared by <see cref="AnalysisRun"/> and <see cref="AnalysisEstimate"/>
/// so that the estimate counts exactly the work the run does: the graph of each edge kind (built once, by the caller's
/// builder: the run builds activation graphs from all samples, the estimate from fewer), its network-wide partition
/// (once), the partition in each scope, and the subclusters and controls drawn from it; then how many lesions and
/// images the share takes.
/// </summary>
public sealed class AnalysisSteps(AnalysisPlan plan, AnalysisInputs inputs, Func<EdgeKind, EdgeGraph> buildGraph)
{
    private readonly Dictionary<EdgeKind, (EdgeGraph Graph, NetworkPartitioning? NetworkWide)> graphs = [];
    private readonly SpectralOptions spectral = new();

    /// <summary>The key of a partitioning in file names and results: weights-network, activations-layer, ...</summary>
    public static string Key(EdgeKind edges, ClusteringScope scope) => $"{edges.Name()}-{scope.Name()}";

    /// <summary>Clusters and samples one partitioning; <paramref name="clustering"/> is told when clustering starts.</summary>
    public PartitioningWork Partition(EdgeKind edges, ClusteringScope scope, Action? clustering = null)
    {
        string key = Key(edges, scope);
        if (!graphs.TryGetValue(edges, out var source)) source = (buildGraph(edges), null);
        clustering?.Invoke();
        var clock = Stopwatch.StartNew();
        int k = ClustersFor(source.Graph.Graph, edges);
        var networkWide = source.NetworkWide ?? NetworkClustering.Network(source.Graph.Layout, source.Graph.Graph, k, spectral, plan.Seed);
        graphs[edges] = source with { NetworkWide = networkWide };
        var partitioning = ScopedPartition.Build(inputs.Network, source.Graph.Layout, source.Graph.Graph, source.Graph.Activations, scope,
            k, spectral, plan.Seed, networkWide: networkWide);
        double seconds = clock.Elapsed.TotalSeconds;
        var (all, skipped) = SubclusterSampler.Sample(inputs.Network.Neurons, partitioning, key, plan.Random, plan.Seed,
            inputs.Selection with { Shard = null });
        var share = plan.Shard is { } shard ? all.Where((_, i) => shard.Owns(key, i)).ToList() : all;
        return new PartitioningWork(edges, scope, source.Graph, partitioning, all, skipped,
            new SampledSubclusters(key, plan.Random, share, skipped), seconds);
    }

    /// <summary>k for one graph (docs/method.md §4): the run's k, which the weight graph was checked against. An activation
    /// graph joins only hidden units, so a small model may have fewer of them than the default k: the default is then
    /// lowered to them; a k the user chose is refused.</summary>
    private int ClustersFor(WeightedGraph graph, EdgeKind edges)
    {
        int valid = graph.Degrees().Count(d => d > 0);
        if (inputs.K <= valid) return inputs.K;
        if (plan.K is null && valid >= 2) return valid;
        throw new UsageException(nameof(plan.K), $"{inputs.K} clusters cannot be formed from the {valid} connected nodes of the {edges.Name()} graph; use 2 to {valid}");
    }

    /// <summary>Lesions the share takes: every subcluster and each of its controls, when a lesion measure is asked for.</summary>
    public int Lesions(PartitioningWork work) =>
        inputs.LesionMeasures.Count > 0 && inputs.Data is not null ? work.Share.Analysed.Count * (plan.Random + 1) : 0;

    /// <summary>Images the share optimises: one per subcluster and control, when a visualisation measure is asked for.</summary>
    public int Images(PartitioningWork work) =>
        inputs.VisualisationMeasures.Count > 0 ? work.Share.Analysed.Count * (plan.Random + 1) : 0;
}
