using Analyzer.Core.Subclusters;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Measures;

/// <summary>
/// The lesion measures (docs/method.md §6) of one partitioning: every analysed subcluster and its random controls are removed
/// in turn; acc-drop and class-range of each are ranked against the controls' (docs/method.md §7). The lesions are run
/// once however many conventions (docs/method.md §9) the measures are reported under.
/// </summary>
public static class LesionAnalysis
{
    public static IReadOnlyDictionary<string, MeasureReport> Run(SampledSubclusters sample, LesionEngine engine, LesionOutcome baseline,
        IReadOnlyList<LesionMeasure> measures, ReferenceCompat? compat = null, Action<int>? progress = null) =>
        Run(sample, engine, baseline, measures, [compat ?? ReferenceCompat.None], progress)[0];

    /// <summary>The reports under each of <paramref name="conventions"/>, in their order.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, MeasureReport>> Run(SampledSubclusters sample, LesionEngine engine,
        LesionOutcome baseline, IReadOnlyList<LesionMeasure> measures, IReadOnlyList<ReferenceCompat> conventions, Action<int>? progress = null)
    {
        var (analysed, skipped, randomCount) = (sample.Analysed, sample.Skipped, sample.Controls);
        var sets = new List<LesionSet>();
        foreach (var (s, i) in analysed.Select((s, i) => (s, i)))
        {
            sets.Add(new LesionSet($"{i}", s.Subcluster.NodeSet, s.Subcluster.Units));
            sets.AddRange(s.Controls.Select((c, j) => new LesionSet($"{i}/{j}", s.Subcluster.NodeSet, c)));
        }
        var outcomes = engine.Evaluate(sets, progress);
        return conventions.Select(compat =>
        {
            var reports = new Dictionary<string, MeasureReport>();
            foreach (var measure in measures)
            {
                double value(LesionOutcome o) => measure.Value(baseline, o, compat);
                int per = randomCount + 1;
                var values = analysed.Select((_, i) => (value(outcomes[i * per]),
                    Enumerable.Range(1, randomCount).Select(j => value(outcomes[i * per + j])).ToArray())).ToList();
                var summary = MeasureSummary.Compute(values, measure.Orientation, compat.Ties, measure.Effect(compat));
                reports[measure.Name] = MeasureReport.Of(summary, analysed, skipped);
            }
            return (IReadOnlyDictionary<string, MeasureReport>)reports;
        }).ToList();
    }
}
