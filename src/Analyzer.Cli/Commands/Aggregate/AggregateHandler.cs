using Analyzer.Core.Errors;
using Analyzer.Core.Statistics;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Aggregate;

/// <summary>Reads the replicates' results.json, checks they are comparable, combines them and writes the table.</summary>
public static class AggregateHandler
{
    public static int Run(string[] dirs, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        if (dirs.Length > IrwinHall.MaxReplicates)
            throw new UsageException($"{dirs.Length} replicates; at most {IrwinHall.MaxReplicates} can be combined");
        var replicates = dirs.Select(d =>
        {
            string path = Path.Combine(d, "results.json");
            if (!File.Exists(path)) throw new DataFormatException($"{path}: file not found");
            return (Path: path, Results: JsonFiles.Read<ResultsDocument>(path));
        }).ToList();
        var first = replicates[0].Results;
        if (replicates.Count == 1)
            error.WriteLine($"warning: one folder ({CommandRunner.Display(dirs[0])}) is one network, not replicates; its statistics are passed through");
        foreach (var same in replicates.GroupBy(r => r.Results.ModelSha256).Where(g => g.Count() > 1))
            error.WriteLine($"warning: {string.Join(", ", same.Select(r => CommandRunner.Display(r.Path)))} analyse the same model (sha256 " +
                            $"{same.Key[..Math.Min(12, same.Key.Length)]}…): runs of one network with other seeds are not independent replicates");
        foreach (var (path, r) in replicates.Skip(1))
        {
            if (!(r.Compat ?? []).SequenceEqual(first.Compat ?? []))
                throw new DataFormatException($"{path}: reference-compat switches ({string.Join(",", r.Compat ?? [])}) differ from {replicates[0].Path}'s ({string.Join(",", first.Compat ?? [])})");
            if (r.K != first.K || r.Random != first.Random || r.Data != first.Data)
                throw new DataFormatException($"{path}: k = {r.K}, random = {r.Random}, data = {r.Data} differ from {replicates[0].Path} (k = {first.K}, random = {first.Random}, data = {first.Data})");
            if (!r.Partitionings.Select(Key).SequenceEqual(first.Partitionings.Select(Key)))
                throw new DataFormatException($"{path}: its partitionings ({string.Join(", ", r.Partitionings.Select(Key))}) differ from {replicates[0].Path}'s");
        }

        var partitionings = new List<PartitioningEntry>();
        for (int i = 0; i < first.Partitionings.Count; i++)
        {
            var measures = new Dictionary<string, MeasureEntry>();
            foreach (string measure in first.Partitionings[i].Measures.Keys)
            {
                var entries = replicates.Select(r => r.Results.Partitionings[i].Measures.TryGetValue(measure, out var e)
                    ? e : throw new DataFormatException($"{r.Path}: measure {measure} is missing in {Key(r.Results.Partitionings[i])}")).ToList();
                var pooled = entries.SelectMany(e => e.Subclusters).ToList();
                var usable = entries.Where(e => double.IsFinite(e.Fisher) && double.IsFinite(e.P)).ToList();
                var combined = usable.Count == 0
                    ? new AggregatedMeasure(double.NaN, double.NaN, EffectMeasure.Summarise([]))
                    : ReplicateAggregation.Combine(usable.Select(e => e.Fisher).ToArray(), usable.Select(e => e.P).ToArray(),
                        pooled.Select(s => s.Effect).ToArray());
                bool beyond = MeasureOrientations.IsNotable(combined.Effect, MeasureOrientations.Of(measure));
                measures[measure] = new MeasureEntry(combined.Fisher, combined.P,
                    new EffectEntry(combined.Effect.Mean, combined.Effect.StandardError, false, beyond), pooled.Count, false, pooled,
                    entries.SelectMany(e => e.Skipped).ToList(), entries.Select(e => e.Fisher).ToList(), entries.Select(e => e.P).ToList(),
                    MeasureResolution.Degenerate(measure, SubclusterEntries.Values(pooled)));
            }
            partitionings.Add(first.Partitionings[i] with
            {
                Ncut = replicates.Average(r => r.Results.Partitionings[i].Ncut),
                Measures = measures,
            });
        }

        var (significance, marked) = SignificanceMarking.Apply(partitionings);

        string models = string.Join(", ", replicates.Select(r => r.Results.Model));
        var results = new ResultsDocument($"mean of {replicates.Count} replicates ({models})", string.Join(",", replicates.Select(r => r.Results.ModelSha256)),
            AnalyzerInfo.Version, first.Data, first.Seed, first.K, first.Random, first.Device, first.Examples,
            replicates.Average(r => r.Results.BaselineAccuracy), significance, marked, first.Compat);
        Directory.CreateDirectory(outDir);
        JsonFiles.Write(Path.Combine(outDir, "results.json"), results);
        string table = ResultsTable.Markdown(results);
        AtomicFile.WriteAllText(Path.Combine(outDir, "table.md"), table);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), Reporting.Html.ReportPage.Build(outDir, results));
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "results.json"))} , table.md and report.html");
        return ExitCodes.Success;
    }

    private static string Key(PartitioningEntry p) => $"{p.Edges}-{p.Scope}";
}
