using Analyzer.Core.Clustering;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Analyzer.Core.Tests.Subclusters;

/// <summary>
/// Sharding never loses or repeats work (docs/design.md, sharding): every position of a partitioning belongs to exactly
/// one shard, and the shards of any partitioning, with or without a subcluster limit, together analyse each subcluster
/// a single run analyses exactly once, with the same controls.
/// </summary>
public class ShardingProperties
{
    [Property(MaxTest = 300)]
    public Property Every_position_belongs_to_exactly_one_shard(NonEmptyString key, PositiveInt count, NonNegativeInt position)
    {
        int n = 1 + count.Get % 16;
        int owners = Enumerable.Range(0, n).Count(i => new ShardSpec(i, n).Owns(key.Get, position.Get));
        return (owners == 1).ToProperty();
    }

    private static readonly Lazy<ModelNetwork> Network = new(() =>
    {
        var ones = Enumerable.Repeat(0.5, 24 * 6).ToArray();
        return ModelNetwork.Load(new TinyModel().Input("x", 1, 6)
            .Weight("W1", [24, 6], ones).Weight("W2", [3, 24], ones.Take(72).ToArray())
            .Node("Gemm", ["x", "W1"], ["h"], "fc1", ("transB", 1L)).Node("Relu", ["h"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L)).Output("y")
            .Save());
    });

    [Property(MaxTest = 60)]
    public Property Shards_together_analyse_each_subcluster_once(int seed, PositiveInt shardCount, byte limit)
    {
        var network = Network.Value;
        var rng = new Random(seed);
        // Random labels for every node set (a few units invalid), as any partition could give.
        var layers = network.Neurons.NodeSets.Select(s => new LayerLabels(s.Name, s.Index,
            Enumerable.Range(0, s.Units).Select(_ => rng.Next(-1, 6)).ToArray(), 6, 0)).ToList();
        var partitioning = new NetworkPartitioning(ClusteringScope.Network, 6, 0, 0, layers);
        int? max = limit % 4 == 0 ? null : 1 + limit % 5;
        int n = 1 + shardCount.Get % 5;
        var whole = SubclusterSampler.Sample(network.Neurons, partitioning, "weights-network", 3, seed, new SubclusterSelection(null, max)).Analysed;
        var shares = Enumerable.Range(0, n).Select(i =>
            SubclusterSampler.Sample(network.Neurons, partitioning, "weights-network", 3, seed, new SubclusterSelection(null, max, new ShardSpec(i, n))).Analysed).ToList();
        string Key(ControlledSubcluster s) => $"{s.Subcluster.NodeSet}/{s.Subcluster.Cluster}/{string.Join(",", s.Subcluster.Units)}|" +
            string.Join("|", s.Controls.Select(c => string.Join(",", c)));
        var merged = shares.SelectMany(s => s).Select(Key).Order().ToList();
        return merged.SequenceEqual(whole.Select(Key).Order()).Label($"{n} shards, max {max}: {merged.Count} analysed against {whole.Count}");
    }
}
