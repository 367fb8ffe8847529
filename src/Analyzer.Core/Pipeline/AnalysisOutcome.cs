using Analyzer.Core.Subclusters;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>What an <see cref="AnalysisRun"/> produced: the results header (no partitionings yet), the partitionings' keys
/// in table order, and their pieces (this shard's share of each, or all of it).</summary>
public sealed record AnalysisOutcome(ResultsDocument Header, IReadOnlyList<string> Keys, IReadOnlyList<PartitioningPiece> Pieces, ShardSpec? Shard)
{
    private ResultsDocument? results;

    /// <summary>The outcomes under the plan's further conventions (<see cref="AnalysisPlan.AlsoUnder"/>), in their order.</summary>
    public IReadOnlyList<AnalysisOutcome> AlsoUnder { get; init; } = [];

    /// <summary>The finished results of an unsharded run (assembled once); a shard's outcome is merged with the others'
    /// instead.</summary>
    public ResultsDocument Results() => Shard is null
        ? results ??= ResultsAssembly.Assemble(Header, Pieces.Select(p => (IReadOnlyList<PartitioningPiece>)[p]).ToList())
        : throw new InvalidOperationException($"shard {Shard} holds a share of the work; merge every shard's outcome for the results");

    /// <summary>shard.json for a sharded run.</summary>
    public ShardDocument ShardDocument() => Shard is null
        ? throw new InvalidOperationException("an unsharded run has results, not a shard document")
        : new ShardDocument(Shard.Index, Shard.Count, Header, Keys);
}
