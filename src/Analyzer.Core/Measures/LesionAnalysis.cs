using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Clustering;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Measures;

/// <summary>
/// The lesion measures (docs/method.md §6) of one partitioning: every analysed subcluster and its random controls are removed
/// in turn; acc-drop and class-range of each are ranked against the controls' (docs/method.md §7).
/// </summary>
public static class LesionAnalysis
{
    public static readonly IReadOnlyList<string> Measures = ["acc-drop", "class-range"];

    public static IReadOnlyDictionary<string, MeasureReport> Run(ModelNetwork network, NetworkPartitioning partitioning,
        string partitioningKey, LesionEngine engine, LesionOutcome baseline, IReadOnlyList<string> measures, int randomCount,
        int seed, ReferenceCompat? compat = null, Action<int>? progress = null, SubclusterSelection? selection = null)
    {
        var (analysed, skipped) = SubclusterSampler.Sample(network.Neurons, partitioning, partitioningKey, randomCount, seed, selection);
        var sets = new List<LesionSet>();
        foreach (var (s, i) in analysed.Select((s, i) => (s, i)))
        {
            sets.Add(new LesionSet($"{i}", s.Subcluster.NodeSet, s.Subcluster.Units));
            sets.AddRange(s.Controls.Select((c, j) => new LesionSet($"{i}/{j}", s.Subcluster.NodeSet, c)));
        }
        var outcomes = engine.Evaluate(sets, progress);
        var reports = new Dictionary<string, MeasureReport>();
        compat ??= ReferenceCompat.None;
        foreach (string measure in measures)
        {
            Func<LesionOutcome, double> value = measure switch
            {
                "acc-drop" when compat.MeanClassAccuracy => o => LesionMeasures.MeanClassAccuracyDrop(baseline, o),
                "acc-drop" => o => LesionMeasures.AccuracyDrop(baseline, o),
                "class-range" when compat.NormalisedClassRange => o => LesionMeasures.NormalisedClassRange(LesionMeasures.ClassDrops(baseline, o)),
                "class-range" => o => LesionMeasures.ClassRange(LesionMeasures.ClassDrops(baseline, o)),
                _ => throw new ArgumentException($"'{measure}' is not a lesion measure; use acc-drop or class-range", nameof(measures)),
            };
            int per = randomCount + 1;
            var values = analysed.Select((_, i) => (value(outcomes[i * per]),
                Enumerable.Range(1, randomCount).Select(j => value(outcomes[i * per + j])).ToArray())).ToList();
            Func<double, double[], double>? effect = measure == "acc-drop" && compat.ReferenceAccDropEffect ? EffectMeasure.ComputeReference : null;
            var summary = MeasureSummary.Compute(values, MeasureOrientation.HigherIsSpecialised, compat.Ties, effect);
            reports[measure] = MeasureReport.Of(summary, analysed, skipped);
        }
        return reports;
    }

    /// <summary>Lesion evaluations that <see cref="Run"/> will make (for progress).</summary>
    public static int LesionCount(ModelNetwork network, NetworkPartitioning partitioning, string key, int randomCount, int seed,
        SubclusterSelection? selection = null) =>
        SubclusterSampler.Sample(network.Neurons, partitioning, key, randomCount, seed, selection).Analysed.Count * (randomCount + 1);
}
