using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Lesion;

/// <summary>Runs the lesions of the sets (<see cref="UnitSetLesions"/>) and writes the lesion JSON.</summary>
public static class LesionHandler
{
    public static int Run(LesionPlan plan, string outFile, TextWriter output, TextWriter error)
    {
        OutputLocation.File(outFile);
        var document = UnitSetLesions.Run(plan, error);
        JsonFiles.Write(outFile, document);
        output.WriteLine($"{CommandRunner.Display(outFile)}: {document.Sets.Count} sets on {document.Examples} examples; " +
                         $"baseline accuracy {document.Baseline.Accuracy:F4} ({document.Device})");
        return ExitCodes.Success;
    }
}
