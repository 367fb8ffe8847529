namespace Analyzer.Core.Subclusters;

/// <summary>
/// Which subclusters a first look analyses (docs/method.md §5): only those of the named node sets, and at most
/// <see cref="Max"/> per partitioning, drawn with the run's seed. The rest are reported as skipped, with the reason, and
/// the controls of the chosen ones are those a full run draws. <see cref="Shard"/> keeps, of the chosen ones, those of one
/// share of the work; the others are neither analysed nor skipped (another shard analyses them).
/// </summary>
public sealed record SubclusterSelection(IReadOnlySet<string>? Layers = null, int? Max = null, ShardSpec? Shard = null)
{
    public static readonly SubclusterSelection All = new();
}
