namespace Analyzer.Core.Subclusters;

/// <summary>
/// The subclusters of one partitioning that a run measures, each with its <see cref="Controls"/> random controls, and
/// those left out with the reason (docs/method.md §5). In a sharded run <see cref="Analysed"/> is the shard's share.
/// </summary>
/// <param name="PartitioningKey">The partitioning's key (weights-network, ...), which seeds every draw made for it.</param>
public sealed record SampledSubclusters(string PartitioningKey, int Controls, IReadOnlyList<ControlledSubcluster> Analysed,
    IReadOnlyList<SkippedSubcluster> Skipped);
