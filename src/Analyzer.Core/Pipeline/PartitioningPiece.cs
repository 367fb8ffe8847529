using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>One analysed subcluster's outcome for one measure: its position among the partitioning's analysed subclusters
/// (canonical order), and its entry, or why it has none (its measure was not finite, or the measure does not apply to
/// its layer).</summary>
public sealed record MeasuredUnit(int Position, SubclusterEntry? Entry, SkippedEntry? Skipped);

/// <summary>
/// A partitioning's share of the work, saved under OUT/partitionings/ as soon as it is done so that a rerun resumes: all
/// of it in a single run, one shard's subclusters in a sharded one. <c>Key</c> names everything the outcome depends on
/// (model, data, options, version); <c>Shard</c> which share it holds (null: all). <c>Analysed</c> counts the
/// partitioning's analysed subclusters over every shard, <c>Skipped</c> those the sampler left out (the same in every
/// shard). <c>Warnings</c> are the partitioning's own (its eigensolver's), the same in every shard. Statistics are not
/// computed on a piece: <see cref="ResultsAssembly"/> computes them from all pieces at once.
/// </summary>
public sealed record PartitioningPiece(string Key, string? Shard, string Edges, string Scope, double Ncut, int Analysed,
    IReadOnlyList<SkippedEntry> Skipped, IReadOnlyDictionary<string, IReadOnlyList<MeasuredUnit>> Measures,
    IReadOnlyList<WarningEntry>? Warnings = null);
