using Analyzer.Core.Errors;
using Analyzer.Reporting.Comparison;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Compare;

/// <summary>Reads each folder's results (and clusterability), builds the comparison and writes it.</summary>
public static class CompareHandler
{
    public static int Run(string[] folders, string outDir, int seed, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var names = new HashSet<string>();
        var models = folders.Select(folder =>
        {
            string results = Path.Combine(folder, "results.json");
            if (!File.Exists(results))
                throw new DataFormatException($"{CommandRunner.Display(results)}: not found; give folders that analyze wrote");
            string stem = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))), name = stem;
            for (int i = 2; !names.Add(name); i++) name = $"{stem}-{i}";
            return Read(name, folder);
        }).ToList();
        return Write(models, outDir, seed, output, error);
    }

    /// <summary>A finished analysis folder as the comparison reads it.</summary>
    public static ComparedModel Read(string name, string folder)
    {
        var results = JsonFiles.Read<ResultsDocument>(Path.Combine(folder, "results.json"));
        string clusterability = Path.Combine(folder, "clusterability.json");
        return new ComparedModel(name, folder, results, File.Exists(clusterability) ? JsonFiles.Read<ClusterabilityDocument>(clusterability) : null);
    }

    /// <summary>comparison.json and comparison.md in <paramref name="outDir"/>; the Markdown is also printed.</summary>
    public static int Write(IReadOnlyList<ComparedModel> models, string outDir, int seed, TextWriter output, TextWriter error)
    {
        var comparison = ComparisonTable.Build(models, outDir, seed);
        string table = ComparisonTable.Markdown(comparison);
        JsonFiles.Write(Path.Combine(outDir, "comparison.json"), comparison);
        AtomicFile.WriteAllText(Path.Combine(outDir, "comparison.md"), table);
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "comparison.md"))} and comparison.json");
        return ExitCodes.Success;
    }
}
