using System.Text;
using Analyzer.Core.Pipeline;

namespace Analyzer.Reporting.Tables;

/// <summary>`analyze --plan` for people: the work per partitioning, what is done once, and the estimates.</summary>
public static class EstimateTable
{
    public static string Markdown(AnalysisPlanDocument plan)
    {
        var text = new StringBuilder();
        text.AppendLine($"plan for {plan.Model}: k = {plan.K}, {plan.Examples} test examples, {plan.Random} random controls per subcluster");
        text.AppendLine();
        text.AppendLine("| partitioning | subclusters | lesions | forward passes | visualisations | steps | clustering | lesions | visualisation | total |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in plan.Partitionings)
            text.AppendLine($"| {p.Edges}-{p.Scope} | {p.Subclusters} | {p.Lesions} | {p.ForwardPasses:N0} | {p.Visualisations} | " +
                $"{p.VisualisationSteps:N0} | {Duration(p.ClusteringSeconds)} | {Duration(p.LesionSeconds)} | " +
                $"{Duration(p.VisualisationSeconds)} | {Duration(p.EstimatedSeconds)} |");
        text.AppendLine();
        text.AppendLine($"once: {string.Join(", ", plan.FixedSeconds.Select(f => $"{f.Key} {Duration(f.Value)}"))}");
        text.AppendLine($"estimated: about {Duration(plan.EstimatedSeconds)} in all, peak memory about {plan.EstimatedPeakMib:N0} MiB " +
            $"(this plan took {Duration(plan.PlanSeconds)})");
        return text.ToString();
    }

    private static string Duration(double seconds) =>
        seconds < 90 ? $"{seconds:F1} s" : seconds < 5400 ? $"{seconds / 60:F1} min" : $"{seconds / 3600:F1} h";
}
