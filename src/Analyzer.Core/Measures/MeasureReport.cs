using Analyzer.Core.Statistics;
using Analyzer.Core.Subclusters;

namespace Analyzer.Core.Measures;

/// <summary>One measure's outcome for one partitioning: the statistics and the subclusters they came from.</summary>
public sealed record MeasureReport(MeasureSummary Summary, IReadOnlyList<ControlledSubcluster> Subclusters,
    IReadOnlyList<SkippedSubcluster> Skipped)
{
    /// <summary>The report, with the subclusters whose measure was not finite (no score) added to the skipped ones.</summary>
    public static MeasureReport Of(MeasureSummary summary, IReadOnlyList<ControlledSubcluster> analysed, IEnumerable<SkippedSubcluster> skipped)
    {
        var all = skipped.ToList();
        for (int i = 0; i < analysed.Count; i++)
            if (summary.Scores[i] is null)
                all.Add(new SkippedSubcluster(analysed[i].Subcluster.Layer, analysed[i].Subcluster.Cluster,
                    analysed[i].Subcluster.Units.Length, "the measure is not finite"));
        return new MeasureReport(summary, analysed, all);
    }
}
