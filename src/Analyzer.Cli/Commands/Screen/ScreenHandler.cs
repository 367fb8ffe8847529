using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Comparison;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Screen;

/// <summary>Screens the models (<see cref="Screening"/>: each analysed into OUT/NAME and tested for clusterability) and
/// writes the comparison, or a shard's screen-shard.json.</summary>
public static class ScreenHandler
{
    public static int Run(ScreenPlan plan, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(plan.Out);
        var outcome = Screening.Run(plan, error, ResultsFolderWriter.Instance);
        if (outcome.Shard is { } shard)
        {
            JsonFiles.Write(Path.Combine(plan.Out, ScreenShardDocument.FileName), shard);
            error.WriteLine($"wrote screen shard {shard.Shard}/{shard.Count} to {CommandRunner.Display(plan.Out)}; `analyzer merge` the " +
                $"{shard.Count} shard folders for every model's results and the comparison");
            return ExitCodes.Success;
        }
        output.Write(ComparisonFiles.Write(plan.Out, outcome.Comparison!));
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(plan.Out, "comparison.md"))} and comparison.json");
        if (plan.Options.Strict)
            ResultWarnings.ThrowIfAny(outcome.Comparison!.Models.Select(m => (m.Name, m.Warnings)));
        return ExitCodes.Success;
    }
}
