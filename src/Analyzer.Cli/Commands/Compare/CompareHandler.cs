using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Comparison;

namespace Analyzer.Cli.Commands.Compare;

/// <summary>Reads each folder's results (and clusterability), compares them (<see cref="ModelComparison"/>) and writes
/// the comparison.</summary>
public static class CompareHandler
{
    public static int Run(string[] folders, string outDir, int seed, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var comparison = ModelComparison.Build(ComparedModel.Read(folders), outDir, seed);
        output.Write(ComparisonFiles.Write(outDir, comparison));
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "comparison.md"))} and comparison.json");
        return ExitCodes.Success;
    }
}
