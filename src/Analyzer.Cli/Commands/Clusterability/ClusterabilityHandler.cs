using System.Diagnostics;
using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Clusterability;

/// <summary>Runs the clusterability test (<see cref="ClusterabilityRun"/>) and writes its JSON.</summary>
public static class ClusterabilityHandler
{
    public static int Run(ClusterabilityPlan plan, string outFile, TextWriter output, TextWriter error)
    {
        OutputLocation.File(outFile);
        var clock = Stopwatch.StartNew();
        var document = ClusterabilityRun.Run(plan, error);
        JsonFiles.Write(outFile, document);
        output.WriteLine($"{CommandRunner.Display(outFile)}: ncut {document.Ncut:F4} vs shuffled {document.ShuffledNcuts.Average():F4} " +
                         $"(z {document.Z ?? double.NaN:F2}, percentile {document.Percentile:F1}) ({clock.Elapsed.TotalSeconds:F1} s)");
        if (document.Reading is { } reading) output.WriteLine(reading);
        return ExitCodes.Success;
    }
}
