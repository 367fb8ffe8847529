using Analyzer.Core.Measures;
using Analyzer.Core.Errors;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Turns the pieces of a run into its results: per partitioning and measure, the subclusters in canonical order, the
/// Fisher statistic and p-value over their percentiles, the mean effect; then Benjamini-Hochberg over the table. A single
/// run and a merge of shards go through this one path, so a merge's results.json is byte-identical to a single run's.
/// </summary>
public static class ResultsAssembly
{
    /// <summary>The results document: <paramref name="header"/> with the partitionings assembled from
    /// <paramref name="pieces"/> (per partitioning, in table order, every shard's piece of it) and marked.</summary>
    public static ResultsDocument Assemble(ResultsDocument header, IReadOnlyList<IReadOnlyList<PartitioningPiece>> pieces)
    {
        var entries = pieces.Select(Partitioning).ToList();
        var (significance, marked) = SignificanceMarking.Apply(entries);
        var results = header with { Significance = significance, Partitionings = marked };
        // The run's own warnings (its labels), the partitionings' own (their eigensolvers', kept in the pieces), then
        // what the table says of its rows; a merge derives the same.
        var warnings = (header.Warnings ?? []).Where(w => w.Partitioning is null)
            .Concat(pieces.SelectMany(p => p.Count > 0 ? p[0].Warnings ?? [] : []))
            .Concat(ResultWarnings.Rows(results)).ToList();
        results = results with { Warnings = warnings.Count == 0 ? null : warnings };
        return results with { Verdict = ResultsVerdict.Of(results) };
    }

    /// <summary>One partitioning from all of its pieces; they must come from one run and cover each analysed subcluster once.</summary>
    public static PartitioningEntry Partitioning(IReadOnlyList<PartitioningPiece> pieces)
    {
        if (pieces.Count == 0) throw new ArgumentException("no pieces to assemble", nameof(pieces));
        var first = pieces[0];
        if (pieces.Any(p => p.Key != first.Key || p.Analysed != first.Analysed))
            throw new DataFormatException($"{first.Edges}-{first.Scope}: the shards come from different runs (model, data, options or version differ)");
        var measures = new Dictionary<string, MeasureEntry>();
        foreach (string measure in first.Measures.Keys)
        {
            var units = pieces.SelectMany(p => p.Measures.TryGetValue(measure, out var u) ? u : []).OrderBy(u => u.Position).ToList();
            for (int i = 0; i < Math.Max(units.Count, first.Analysed); i++)
                if (i >= units.Count || units[i].Position != i)
                    throw new DataFormatException($"{first.Edges}-{first.Scope}, {measure}: subcluster {i} of {first.Analysed} is " +
                        (i < units.Count && units[i].Position < i ? "in more than one shard" : "in no shard; run the missing shard"));
            measures[measure] = Entry(measure, units, first.Skipped);
        }
        return new PartitioningEntry(first.Edges, first.Scope, first.Ncut, measures);
    }

    /// <summary>A measure's entry: the scored subclusters in canonical order and the statistics over them (as
    /// <see cref="MeasureSummary.Compute"/> defines them); skipped are the sampler's, then the unscored in canonical order.</summary>
    private static MeasureEntry Entry(string measure, IReadOnlyList<MeasuredUnit> units, IReadOnlyList<SkippedEntry> sampled)
    {
        var subclusters = units.Where(u => u.Entry is not null).Select(u => u.Entry!).ToList();
        var skipped = sampled.Concat(units.Where(u => u.Entry is null).Select(u => u.Skipped
            ?? throw new DataFormatException($"{measure}: subcluster {u.Position} has neither an entry nor a reason"))).ToList();
        double fisher = double.NaN, p = double.NaN;
        if (subclusters.Count > 0)
        {
            fisher = FisherCombination.Statistic(subclusters.Select(s => s.Percentile).ToArray());
            p = FisherCombination.PValue(fisher, subclusters.Count);
        }
        var effect = EffectMeasure.Summarise(subclusters.Select(s => s.Effect).ToArray());
        var kind = Measure.Named(measure);
        bool beyond = kind.IsNotable(effect);
        return new MeasureEntry(fisher, p, new EffectEntry(effect.Mean, effect.StandardError, false, beyond), subclusters.Count, false,
            subclusters, skipped, Degenerate: kind.Degenerate(SubclusterEntries.Values(subclusters)));
    }
}
