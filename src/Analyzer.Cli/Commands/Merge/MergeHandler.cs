using Analyzer.Core.Errors;
using Analyzer.Cli.Commands.Compare;
using Analyzer.Cli.Commands.Screen;
using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Comparison;

namespace Analyzer.Cli.Commands.Merge;

/// <summary>Checks the shards, assembles the results and copies the shards' figures beside them; for shards of `screen`,
/// does that for every model and writes the comparison.</summary>
public static class MergeHandler
{
    public static int Run(string[] folders, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        bool screen = folders.Any(f => File.Exists(Path.Combine(f, ScreenShardDocument.FileName)));
        return screen ? Screen(folders, outDir, output, error) : ResultsFiles.Write(outDir, Analysis(folders, outDir, error), output, error);
    }

    /// <summary>One analysis from its shards' folders into <paramref name="outDir"/>: the results, and the pictures.</summary>
    private static Core.Results.ResultsDocument Analysis(IReadOnlyList<string> folders, string outDir, TextWriter error)
    {
        var shards = ShardMerge.Read(folders);
        var results = ShardMerge.Results(shards);
        // Each shard drew its own subclusters' pictures; the adjacency figures are the same in every shard.
        foreach (var (folder, _) in shards)
            foreach (string kind in new[] { "visualisations", "correlations" })
                CopyTree(Path.Combine(folder, kind), Path.Combine(outDir, kind));
        CopyTree(Path.Combine(shards[0].Folder, "figures"), Path.Combine(outDir, "figures"));
        error.WriteLine($"merged {shards.Count} shards of {CommandRunner.Display(shards[0].Shard.Header.Model)}");
        return results;
    }

    private static int Screen(string[] folders, string outDir, TextWriter output, TextWriter error)
    {
        var shards = folders.Select(f =>
        {
            string path = Path.Combine(f, ScreenShardDocument.FileName);
            if (!File.Exists(path))
                throw new DataFormatException($"{CommandRunner.Display(f)}: no {ScreenShardDocument.FileName}; give the folders that " +
                    "`screen --shard I/N` wrote (an unfinished shard writes it last), all of them shards of one screen");
            return (Folder: f, Shard: JsonFiles.Read<ScreenShardDocument>(path));
        }).ToList();
        var first = shards[0].Shard;
        foreach (var (folder, shard) in shards.Where(s => s.Shard.Count != first.Count || !s.Shard.Models.SequenceEqual(first.Models) || s.Shard.Seed != first.Seed))
            throw new DataFormatException($"{CommandRunner.Display(folder)}: screen shard {shard.Shard}/{shard.Count} comes from a different " +
                $"screen than {CommandRunner.Display(shards[0].Folder)} (models, seed or shard count differ)");
        var compared = new List<ComparedModel>();
        foreach (string name in first.Models)
        {
            string folder = Path.Combine(outDir, name);
            ResultsFiles.Write(folder, Analysis(shards.Select(s => Path.Combine(s.Folder, name)).ToList(), folder, error), TextWriter.Null, TextWriter.Null);
            foreach (var (shardFolder, _) in shards)
                if (File.Exists(Path.Combine(shardFolder, name, "clusterability.json")))
                    CopyTree(Path.Combine(shardFolder, name), folder, "clusterability.json");
            compared.Add(CompareHandler.Read(name, folder));
        }
        return CompareHandler.Write(compared, outDir, first.Seed, output, error);
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
}
