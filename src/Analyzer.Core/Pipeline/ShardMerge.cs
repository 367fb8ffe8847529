using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Merges the folders of a sharded run (docs/design.md, sharding) into its results: every shard 0..N-1 exactly once,
/// all from one run (same header, same partitionings), each partitioning finished. A shard that is missing or unfinished
/// is named, so that it alone can be run again. Shards of a screen merge model by model, then compare.
/// </summary>
public static class ShardMerge
{
    /// <summary>Whether <paramref name="folders"/> are shards of a screen (rather than of one analysis).</summary>
    public static bool AreScreenShards(IReadOnlyList<string> folders) =>
        folders.Any(f => File.Exists(Path.Combine(f, ScreenShardDocument.FileName)));

    /// <summary>One analysis from its shards' folders into <paramref name="outDir"/>: the results through
    /// <paramref name="writer"/>, and the pictures each shard drew.</summary>
    public static ResultsDocument Analysis(IReadOnlyList<string> folders, string outDir, IResultsWriter writer, TextWriter log)
    {
        var shards = Read(folders);
        var results = Results(shards);
        // Each shard drew its own subclusters' pictures; the adjacency figures are the same in every shard.
        foreach (var (folder, _) in shards)
            foreach (string kind in new[] { "visualisations", "correlations" })
                CopyTree(Path.Combine(folder, kind), Path.Combine(outDir, kind));
        CopyTree(Path.Combine(shards[0].Folder, "figures"), Path.Combine(outDir, "figures"));
        log.WriteLine($"merged {shards.Count} shards of {DisplayPath.Of(shards[0].Shard.Header.Model)}");
        writer.Results(outDir, results);
        return results;
    }

    /// <summary>A screen from its shards' folders into <paramref name="outDir"/>: every model merged into its folder (with
    /// the clusterability test whichever shard ran it), then the comparison.</summary>
    public static ComparisonDocument Screen(IReadOnlyList<string> folders, string outDir, IResultsWriter writer, TextWriter log)
    {
        var shards = folders.Select(f =>
        {
            string path = Path.Combine(f, ScreenShardDocument.FileName);
            if (!File.Exists(path))
                throw new DataFormatException($"{DisplayPath.Of(f)}: no {ScreenShardDocument.FileName}; give the folders that " +
                    "the shards of one screen wrote (an unfinished shard writes it last)");
            return (Folder: f, Shard: JsonFiles.Read<ScreenShardDocument>(path));
        }).ToList();
        var first = shards[0].Shard;
        foreach (var (folder, shard) in shards.Where(s => s.Shard.Count != first.Count || !s.Shard.Models.SequenceEqual(first.Models) || s.Shard.Seed != first.Seed))
            throw new DataFormatException($"{DisplayPath.Of(folder)}: screen shard {shard.Shard}/{shard.Count} comes from a different " +
                $"screen than {DisplayPath.Of(shards[0].Folder)} (models, seed or shard count differ)");
        var compared = new List<ComparedModel>();
        foreach (string name in first.Models)
        {
            string folder = Path.Combine(outDir, name);
            var results = Analysis(shards.Select(s => Path.Combine(s.Folder, name)).ToList(), folder, writer, log);
            foreach (var (shardFolder, _) in shards)
                if (File.Exists(Path.Combine(shardFolder, name, AnalysisFolder.ClusterabilityFile)))
                    CopyTree(Path.Combine(shardFolder, name), folder, AnalysisFolder.ClusterabilityFile);
            compared.Add(new ComparedModel(name, folder, results, AnalysisFolder.Clusterability(folder)));
        }
        return ModelComparison.Build(compared, outDir, first.Seed);
    }

    private static void CopyTree(string from, string to, string pattern = "*")
    {
        if (!Directory.Exists(from)) return;
        foreach (string file in Directory.EnumerateFiles(from, pattern, pattern == "*" ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly))
        {
            if (file.Contains(".tmp-", StringComparison.Ordinal)) continue;
            AtomicFile.Write(Path.Combine(to, Path.GetRelativePath(from, file)), stream =>
            {
                using var source = File.OpenRead(file);
                source.CopyTo(stream);
            });
        }
    }

    /// <summary>The shards' folders, ordered by shard index, with their documents.</summary>
    public static IReadOnlyList<(string Folder, ShardDocument Shard)> Read(IReadOnlyList<string> folders)
    {
        var shards = new List<(string Folder, ShardDocument Shard)>();
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, AnalysisFolder.ShardFile);
            if (!File.Exists(path))
                throw new DataFormatException(File.Exists(Path.Combine(folder, "results.json"))
                    ? $"{DisplayPath.Of(folder)}: holds results.json, not shard.json: it is a whole run, not a shard"
                    : $"{DisplayPath.Of(folder)}: no shard.json; give the folders that the shards of one analysis wrote (an unfinished shard writes it last)");
            shards.Add((folder, JsonFiles.Read<ShardDocument>(path)));
        }
        var first = shards[0].Shard;
        foreach (var (folder, shard) in shards)
        {
            if (shard.Count != first.Count)
                throw new DataFormatException($"{DisplayPath.Of(folder)}: shard {shard.Shard}/{shard.Count} is of a run in {shard.Count} shards, " +
                    $"{DisplayPath.Of(shards[0].Folder)} of one in {first.Count}");
            if (JsonFiles.Serialize(shard.Header) != JsonFiles.Serialize(first.Header) || !shard.Partitionings.SequenceEqual(first.Partitionings))
                throw new DataFormatException($"{DisplayPath.Of(folder)}: shard {shard.Shard}/{shard.Count} comes from a different run than " +
                    $"{DisplayPath.Of(shards[0].Folder)} (model, data, options, device or version differ)");
        }
        foreach (var twice in shards.GroupBy(s => s.Shard.Shard).Where(g => g.Count() > 1))
            throw new DataFormatException($"shard {twice.Key}/{first.Count} is given twice: {string.Join(", ", twice.Select(s => DisplayPath.Of(s.Folder)))}");
        var missing = Enumerable.Range(0, first.Count).Where(i => shards.All(s => s.Shard.Shard != i)).ToList();
        if (missing.Count > 0)
            throw new DataFormatException($"{(missing.Count == 1 ? "shard" : "shards")} {string.Join(", ", missing.Select(i => $"{i}/{first.Count}"))} " +
                $"of {first.Count} {(missing.Count == 1 ? "is" : "are")} missing; run {(missing.Count == 1 ? "it" : "them")} (the same analysis, shard I/{first.Count}) and merge again");
        return shards.OrderBy(s => s.Shard.Shard).ToList();
    }

    /// <summary>The results of the whole run, byte for byte those of a single run with the same seed and options.</summary>
    public static ResultsDocument Results(IReadOnlyList<(string Folder, ShardDocument Shard)> shards)
    {
        var header = shards[0].Shard.Header;
        var pieces = shards[0].Shard.Partitionings.Select(key => (IReadOnlyList<PartitioningPiece>)shards.Select(s =>
        {
            string path = Path.Combine(s.Folder, "partitionings", $"{key}.json");
            string name = $"{s.Shard.Shard}/{s.Shard.Count}";
            var piece = File.Exists(path) ? JsonFiles.Read<PartitioningPiece>(path) : null;
            if (piece?.Shard != name)
                throw new DataFormatException($"{DisplayPath.Of(path)}: shard {name} has not finished {key}; run it again (it resumes) and merge again");
            return piece;
        }).ToList()).ToList();
        return ResultsAssembly.Assemble(header, pieces);
    }
}
