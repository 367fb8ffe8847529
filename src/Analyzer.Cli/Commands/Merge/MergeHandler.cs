using Analyzer.Core.Analysis;
using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Merge;

/// <summary>Checks the shards, assembles the results and copies the shards' figures beside them.</summary>
public static class MergeHandler
{
    public static int Run(string[] folders, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var shards = ShardMerge.Read(folders);
        var results = ShardMerge.Results(shards);
        // Each shard drew its own subclusters' pictures; the adjacency figures are the same in every shard.
        foreach (var (folder, _) in shards)
            foreach (string kind in new[] { "visualisations", "correlations" })
                CopyTree(Path.Combine(folder, kind), Path.Combine(outDir, kind));
        CopyTree(Path.Combine(shards[0].Folder, "figures"), Path.Combine(outDir, "figures"));
        error.WriteLine($"merged {shards.Count} shards of {CommandRunner.Display(shards[0].Shard.Header.Model)}");
        return ResultsFiles.Write(outDir, results, output, error);
    }

    private static void CopyTree(string from, string to)
    {
        if (!Directory.Exists(from)) return;
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
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
