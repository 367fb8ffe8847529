using Analyzer.Core.Errors;
using Analyzer.Core.Files;
using Analyzer.Core.Results;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Merges the folders of a sharded run (docs/design.md, sharding) into its results: every shard 0..N-1 exactly once,
/// all from one run (same header, same partitionings), each partitioning finished. A shard that is missing or unfinished
/// is named, so that it alone can be run again.
/// </summary>
public static class ShardMerge
{
    /// <summary>The shards' folders, ordered by shard index, with their documents.</summary>
    public static IReadOnlyList<(string Folder, ShardDocument Shard)> Read(IReadOnlyList<string> folders)
    {
        var shards = new List<(string Folder, ShardDocument Shard)>();
        foreach (string folder in folders)
        {
            string path = Path.Combine(folder, "shard.json");
            if (!File.Exists(path))
                throw new DataFormatException(File.Exists(Path.Combine(folder, "results.json"))
                    ? $"{DisplayPath.Of(folder)}: holds results.json, not shard.json: it is a whole run, not a shard"
                    : $"{DisplayPath.Of(folder)}: no shard.json; give the folders that `analyze --shard I/N` wrote (an unfinished shard writes it last)");
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
                $"of {first.Count} {(missing.Count == 1 ? "is" : "are")} missing; run {(missing.Count == 1 ? "it" : "them")} (`analyze ... --shard I/{first.Count}`) and merge again");
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
