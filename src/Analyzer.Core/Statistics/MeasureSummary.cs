namespace Analyzer.Core.Statistics;

/// <summary>One subcluster's measured value against its controls, with its percentile and effect (docs/method.md §7).</summary>
public sealed record SubclusterScore(double Value, double[] Controls, double Percentile, double Effect);

/// <summary>
/// The statistics of one measure over one network's analysed subclusters: Fisher statistic and p-value over the
/// percentiles, mean effect ± SE. Subclusters whose value or controls are not finite are excluded (and listed by the
/// caller), never ranked.
/// </summary>
public sealed record MeasureSummary(double Fisher, double P, EffectSummary Effect, int N, IReadOnlyList<SubclusterScore?> Scores)
{
    /// <param name="effect">The effect of one subcluster; default <see cref="EffectMeasure.Compute"/>.</param>
    public static MeasureSummary Compute(IReadOnlyList<(double Value, double[] Controls)> subclusters, MeasureOrientation orientation,
        PercentileTies ties = PercentileTies.MidRank, Func<double, double[], double>? effect = null)
    {
        effect ??= EffectMeasure.Compute;
        var scores = subclusters.Select(s =>
            double.IsFinite(s.Value) && s.Controls.All(double.IsFinite)
                ? new SubclusterScore(s.Value, s.Controls, SubclusterPercentile.Compute(s.Value, s.Controls, orientation, ties),
                    effect(s.Value, s.Controls))
                : null).ToList();
        var valid = scores.Where(s => s is not null).Select(s => s!).ToList();
        if (valid.Count == 0)
            return new MeasureSummary(double.NaN, double.NaN, new EffectSummary(double.NaN, double.NaN, 0), 0, scores);
        double fisher = FisherCombination.Statistic(valid.Select(s => s.Percentile).ToArray());
        return new MeasureSummary(fisher, FisherCombination.PValue(fisher, valid.Count),
            EffectMeasure.Summarise(valid.Select(s => s.Effect).ToArray()), valid.Count, scores);
    }
}
