using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>shard.json, what a shard writes instead of results.json (docs/design.md, sharding): which share it ran, the
/// results header every shard shares (model, data, options; no partitionings), and the partitionings' keys in table
/// order, whose pieces lie in partitionings/KEY.json beside it.</summary>
public sealed record ShardDocument(int Shard, int Count, ResultsDocument Header, IReadOnlyList<string> Partitionings);
