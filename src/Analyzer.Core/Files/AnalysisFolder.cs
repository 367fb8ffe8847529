using Analyzer.Core.Errors;
using Analyzer.Core.Results;

namespace Analyzer.Core.Files;

/// <summary>
/// The files of a finished analysis folder (docs/design.md): results.json, clusterability.json beside it when a screen
/// or the user ran the test, shard.json in a shard's folder, and the checkpoints under partitionings/.
/// </summary>
public static class AnalysisFolder
{
    public const string ResultsFile = "results.json", ClusterabilityFile = "clusterability.json", ShardFile = "shard.json",
        Checkpoints = "partitionings";

    /// <summary>The folder's results.json; a folder without one is a data error naming the file.</summary>
    public static ResultsDocument Results(string folder, string expected = "give folders that analyze wrote")
    {
        string path = Path.Combine(folder, ResultsFile);
        if (!File.Exists(path)) throw new DataFormatException($"{DisplayPath.Of(path)}: not found; {expected}");
        return JsonFiles.Read<ResultsDocument>(path);
    }

    /// <summary>The folder's clusterability.json, or null when it has none.</summary>
    public static ClusterabilityDocument? Clusterability(string folder)
    {
        string path = Path.Combine(folder, ClusterabilityFile);
        return File.Exists(path) ? JsonFiles.Read<ClusterabilityDocument>(path) : null;
    }
}
