using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Measures;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Replicates of one training recipe combined into one table (docs/method.md §7, aggregating replicates): per
/// partitioning and measure the mean Fisher statistic, the Bates p-value of the mean p, the effects pooled over every
/// replicate's subclusters; then Benjamini-Hochberg over the table. Replicates must be comparable (the same k, controls,
/// data, conventions and partitionings); one folder, or one network twice, is said, since other seeds of one network are
/// not independent replicates.
/// </summary>
public static class ReplicateAggregate
{
    /// <param name="replicates">Each replicate's results and where they came from (named in messages).</param>
    /// <param name="warn">Told what makes the aggregate weaker than it looks.</param>
    public static ResultsDocument Combine(IReadOnlyList<(string Source, ResultsDocument Results)> replicates, Action<string>? warn = null)
    {
        if (replicates.Count == 0) throw new UsageException("no replicates to combine");
        if (replicates.Count > IrwinHall.MaxReplicates)
            throw new UsageException($"{replicates.Count} replicates; at most {IrwinHall.MaxReplicates} can be combined");
        var first = replicates[0].Results;
        if (replicates.Count == 1)
            warn?.Invoke($"one folder ({DisplayPath.Of(Path.GetDirectoryName(replicates[0].Source) ?? replicates[0].Source)}) is one network, not replicates; its statistics are passed through");
        foreach (var same in replicates.GroupBy(r => r.Results.ModelSha256).Where(g => g.Count() > 1))
            warn?.Invoke($"{string.Join(", ", same.Select(r => DisplayPath.Of(r.Source)))} analyse the same model (sha256 " +
                         $"{same.Key[..Math.Min(12, same.Key.Length)]}…): runs of one network with other seeds are not independent replicates");
        foreach (var (path, r) in replicates.Skip(1))
        {
            if (!(r.Compat ?? []).SequenceEqual(first.Compat ?? []))
                throw new DataFormatException($"{path}: reference-compat switches ({string.Join(",", r.Compat ?? [])}) differ from {replicates[0].Source}'s ({string.Join(",", first.Compat ?? [])})");
            if ((r.Labels ?? "data") != (first.Labels ?? "data"))
                throw new DataFormatException($"{path}: scored against {r.Labels ?? "no"} labels, {replicates[0].Source} against {first.Labels ?? "no"} labels");
            if (r.K != first.K || r.Random != first.Random || r.Data != first.Data)
                throw new DataFormatException($"{path}: k = {r.K}, random = {r.Random}, data = {r.Data} differ from {replicates[0].Source} (k = {first.K}, random = {first.Random}, data = {first.Data})");
            if (!r.Partitionings.Select(Key).SequenceEqual(first.Partitionings.Select(Key)))
                throw new DataFormatException($"{path}: its partitionings ({string.Join(", ", r.Partitionings.Select(Key))}) differ from {replicates[0].Source}'s");
        }

        var partitionings = new List<PartitioningEntry>();
        for (int i = 0; i < first.Partitionings.Count; i++)
        {
            var measures = new Dictionary<string, MeasureEntry>();
            foreach (string measure in first.Partitionings[i].Measures.Keys)
            {
                var entries = replicates.Select(r => r.Results.Partitionings[i].Measures.TryGetValue(measure, out var e)
                    ? e : throw new DataFormatException($"{r.Source}: measure {measure} is missing in {Key(r.Results.Partitionings[i])}")).ToList();
                measures[measure] = Combine(Measure.Named(measure), entries);
            }
            partitionings.Add(first.Partitionings[i] with
            {
                Ncut = replicates.Average(r => r.Results.Partitionings[i].Ncut),
                Measures = measures,
            });
        }

        var (significance, marked) = SignificanceMarking.Apply(partitionings);
        string models = string.Join(", ", replicates.Select(r => r.Results.Model));
        var aggregate = new ResultsDocument($"mean of {replicates.Count} replicates ({models})", string.Join(",", replicates.Select(r => r.Results.ModelSha256)),
            AnalyzerInfo.Version, first.Data, first.Seed, first.K, first.Random, first.Device, first.Examples,
            replicates.Average(r => r.Results.BaselineAccuracy), significance, marked, first.Compat, Labels: first.Labels);
        // Each replicate's warnings about its run and its partitionings' own (named by its model), then what the pooled
        // rows say of themselves.
        var warnings = replicates.SelectMany(r => (r.Results.Warnings ?? [])
                .Where(w => w.Partitioning is null || w.Kind == ResultWarnings.EigenNotConverged)
                .Select(w => w with { Message = $"{r.Results.Model}: {w.Message}" }))
            .Concat(ResultWarnings.Rows(aggregate)).ToList();
        aggregate = aggregate with { Warnings = warnings.Count == 0 ? null : warnings };
        // Named by all its replicates: the aggregate's model text is no file name (read as one, it gave the last replicate's).
        string names = string.Join(", ", replicates.Select(r => Path.GetFileNameWithoutExtension(r.Results.Model)));
        return aggregate with { Verdict = ResultsVerdict.Of(aggregate, $"{replicates.Count} replicates ({names})") };
    }

    /// <summary>One measure over the replicates: mean Fisher and Bates p of those that have them, effects pooled.</summary>
    private static MeasureEntry Combine(Measure measure, IReadOnlyList<MeasureEntry> entries)
    {
        var pooled = entries.SelectMany(e => e.Subclusters).ToList();
        var usable = entries.Where(e => double.IsFinite(e.Fisher) && double.IsFinite(e.P)).ToList();
        var combined = usable.Count == 0
            ? new AggregatedMeasure(double.NaN, double.NaN, EffectMeasure.Summarise([]))
            : ReplicateAggregation.Combine(usable.Select(e => e.Fisher).ToArray(), usable.Select(e => e.P).ToArray(),
                pooled.Select(s => s.Effect).ToArray());
        return new MeasureEntry(combined.Fisher, combined.P,
            new EffectEntry(combined.Effect.Mean, combined.Effect.StandardError, false, measure.IsNotable(combined.Effect)), pooled.Count, false, pooled,
            entries.SelectMany(e => e.Skipped).ToList(), entries.Select(e => e.Fisher).ToList(), entries.Select(e => e.P).ToList(),
            measure.Degenerate(SubclusterEntries.Values(pooled)));
    }

    private static string Key(PartitioningEntry p) => $"{p.Edges}-{p.Scope}";
}
