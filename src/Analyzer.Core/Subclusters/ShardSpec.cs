using Analyzer.Core.Errors;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Subclusters;

/// <summary>
/// One share of a run's work (docs/design.md, sharding): shard <see cref="Index"/> of <see cref="Count"/>, counted from 0
/// as Slurm's SLURM_ARRAY_TASK_ID and Kubernetes' JOB_COMPLETION_INDEX count. A work unit is one analysed subcluster of
/// one partitioning with all of its controls, so every statistic a merge recomputes is the one a single run computes.
/// </summary>
public sealed record ShardSpec(int Index, int Count)
{
    /// <summary>"I/N", for example "0/4"; anything else is a usage error naming the option.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count) || count < 1 ||
            index < 0 || index >= count)
            throw new UsageException("Shard", $"'{text}'; expected I/N with 0 <= I < N, for example 0/4");
        return new ShardSpec(index, count);
    }

    /// <summary>Whether the <paramref name="position"/>-th analysed subcluster of a partitioning belongs to this shard:
    /// round robin, started at a place that depends on the partitioning, so that small partitionings do not all land on
    /// shard 0.</summary>
    public bool Owns(string partitioningKey, int position) =>
        (position + StableSeed.Of(0, partitioningKey, -1, -1)) % Count == Index;

    public override string ToString() => $"{Index}/{Count}";
}
