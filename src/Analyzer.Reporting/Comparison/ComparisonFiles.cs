using Analyzer.Core.Files;
using Analyzer.Core.Results;

namespace Analyzer.Reporting.Comparison;

/// <summary>comparison.json and comparison.md of `compare`, `screen` and `merge` of screen shards.</summary>
public static class ComparisonFiles
{
    /// <summary>Writes both into <paramref name="folder"/> and returns the Markdown.</summary>
    public static string Write(string folder, ComparisonDocument comparison)
    {
        string table = ComparisonTable.Markdown(comparison);
        JsonFiles.Write(Path.Combine(folder, "comparison.json"), comparison);
        AtomicFile.WriteAllText(Path.Combine(folder, "comparison.md"), table);
        return table;
    }
}
