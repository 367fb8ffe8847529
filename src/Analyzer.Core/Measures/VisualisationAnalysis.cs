using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Activations;
using Analyzer.Core.Statistics;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Measures;

/// <summary>The images of one analysed subcluster: its own visualisation first, then its controls'.</summary>
public sealed record SubclusterVisualisations(Subcluster Subcluster, IReadOnlyList<VisualisationResult> Images);

/// <summary>
/// The feature-visualisation measures (docs/method.md §6) of one partitioning: every analysed subcluster and its random
/// controls are visualised (all of a layer's images optimised together); vis-score (higher is coherent) and
/// softmax-entropy (lower is coherent) are ranked against the controls' (docs/method.md §7). The images are optimised
/// once however many percentile conventions the measures are reported under.
/// </summary>
public static class VisualisationAnalysis
{
    public static (IReadOnlyDictionary<string, MeasureReport> Reports, IReadOnlyList<SubclusterVisualisations> Images) Run(
        ModelNetwork network, SampledSubclusters sample, FeatureVisualizer visualizer, IReadOnlyList<VisualisationMeasure> measures, int seed,
        Action<int>? progress = null, PercentileTies ties = PercentileTies.MidRank)
    {
        var (reports, images) = Run(network, sample, visualizer, measures, seed, [ties], progress);
        return (reports[0], images);
    }

    /// <summary>The reports under each of <paramref name="ties"/>, in their order, and the images.</summary>
    public static (IReadOnlyList<IReadOnlyDictionary<string, MeasureReport>> Reports, IReadOnlyList<SubclusterVisualisations> Images) Run(
        ModelNetwork network, SampledSubclusters sample, FeatureVisualizer visualizer, IReadOnlyList<VisualisationMeasure> measures, int seed,
        IReadOnlyList<PercentileTies> ties, Action<int>? progress = null)
    {
        var (analysed, skipped, randomCount, partitioningKey) = (sample.Analysed, sample.Skipped, sample.Controls, sample.PartitioningKey);
        var points = PreActivationPoints.Find(network).ToDictionary(p => p.NodeSet.Index);
        var objectives = new List<VisualisationObjective>();
        foreach (var (s, i) in analysed.Select((s, i) => (s, i)))
        {
            var sub = s.Subcluster;
            var point = points[sub.NodeSet];
            var sets = new[] { sub.Units }.Concat(s.Controls).ToList();
            for (int j = 0; j < sets.Count; j++)
                objectives.Add(new VisualisationObjective(j == 0 ? $"{i}" : $"{i}/{j - 1}", point, sets[j],
                    StableSeed.Of(seed, $"{partitioningKey}/vis/{j}", sub.NodeSet, sub.Cluster)));
        }
        var results = visualizer.Run(objectives, progress);
        int per = randomCount + 1;
        var images = analysed.Select((s, i) => new SubclusterVisualisations(s.Subcluster, results.Skip(i * per).Take(per).ToList())).ToList();
        var reports = ties.Select(convention =>
        {
            var reports = new Dictionary<string, MeasureReport>();
            foreach (var measure in measures)
            {
                var values = images.Select(v => (measure.Value(v.Images[0]), v.Images.Skip(1).Select(measure.Value).ToArray())).ToList();
                var summary = MeasureSummary.Compute(values, measure.Orientation, convention);
                reports[measure.Name] = MeasureReport.Of(summary, analysed, skipped);
            }
            return (IReadOnlyDictionary<string, MeasureReport>)reports;
        }).ToList();
        return (reports, images);
    }
}
