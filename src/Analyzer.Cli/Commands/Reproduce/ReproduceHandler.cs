using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Reproduction;

namespace Analyzer.Cli.Commands.Reproduce;

/// <summary>Runs the reproduction (<see cref="Reproduction"/>) and writes reproduction.md and reproduction.json.</summary>
public static class ReproduceHandler
{
    public static int Run(ReproductionPlan plan, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(plan.Out);
        var document = Reproduction.Run(plan, error, ResultsFolderWriter.Instance);
        string table = ReproductionTable.Markdown(document);
        Directory.CreateDirectory(plan.Out);
        AtomicFile.WriteAllText(Path.Combine(plan.Out, "reproduction.md"), table);
        JsonFiles.Write(Path.Combine(plan.Out, "reproduction.json"), document);
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(plan.Out, "reproduction.md"))} and reproduction.json ({document.Seconds / 60:F1} min)");
        return ExitCodes.Success;
    }
}
