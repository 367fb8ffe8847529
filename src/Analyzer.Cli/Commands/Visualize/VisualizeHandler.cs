using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;
using Analyzer.Reporting.Images;

namespace Analyzer.Cli.Commands.Visualize;

/// <summary>Visualises the sets (<see cref="UnitSetVisualisations"/>) and writes one PNG per set and scores.json.</summary>
public static class VisualizeHandler
{
    public static int Run(VisualisePlan plan, string outDir, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var visualised = UnitSetVisualisations.Run(plan, error);
        var entries = VisualisationFiles.Write(outDir, visualised.Sets.Select(s => (s.Id, s.Layer, (IReadOnlyList<int>)s.Units)).ToList(),
            visualised.Images, plan.Preprocessing?.Bgr ?? false);
        string scores = Path.Combine(outDir, "scores.json");
        JsonFiles.Write(scores, new ScoresDocument(CommandRunner.Display(plan.Model), visualised.ModelSha256, AnalyzerInfo.Version, plan.Seed,
            visualised.Provider, plan.Steps, entries));
        foreach (var e in entries)
            output.WriteLine($"{e.Id} ({e.Layer}, {e.Units.Count} units): vis-score {e.Score:G5}, softmax entropy {e.Entropy:F4} -> {e.Image}");
        error.WriteLine($"wrote {CommandRunner.Display(scores)} and {entries.Count} PNG files ({visualised.Provider})");
        return ExitCodes.Success;
    }
}
