using Analyzer.Core.Statistics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Analyzer.Core.Tests.Statistics;

/// <summary>Invariants the statistics of docs/method.md §7 guarantee whatever their inputs.</summary>
public class StatisticsProperties
{
    private static double[] Probabilities(int[] raw) => raw.Select(r => (Math.Abs((long)r) % 10_000 + 1) / 10_000.0).ToArray();

    [Property(MaxTest = 300)]
    public Property Benjamini_Hochberg_rejects_every_p_value_at_or_below_one_it_rejects(NonEmptyArray<int> raw)
    {
        var p = Probabilities(raw.Get);
        var result = BenjaminiHochberg.Apply(p);
        bool closed = Enumerable.Range(0, p.Length).All(i => !result.Significant[i] || Enumerable.Range(0, p.Length).All(j => p[j] > p[i] || result.Significant[j]));
        bool critical = result.CriticalP is { } c
            ? c == p.Where((_, i) => result.Significant[i]).Max()
            : !result.Significant.Any(s => s);
        return (closed && critical).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property Fisher_statistic_ignores_order_and_its_p_value_is_a_probability(NonEmptyArray<int> raw, int shuffle)
    {
        var p = Probabilities(raw.Get);
        var shuffled = p.OrderBy(_ => new Random(shuffle).Next()).ToArray();
        double f = FisherCombination.Statistic(p), g = FisherCombination.Statistic(shuffled);
        double pValue = FisherCombination.PValue(f, p.Length);
        return (Math.Abs(f - g) <= 1e-12 * Math.Max(1, f) && pValue is >= 0 and <= 1).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property A_larger_Fisher_statistic_is_never_less_significant(PositiveInt n, NonNegativeInt a, NonNegativeInt b)
    {
        int count = 1 + n.Get % 40;
        double x = a.Get % 1000 / 100.0, y = b.Get % 1000 / 100.0;
        double lo = Math.Min(x, y), hi = Math.Max(x, y);
        return (FisherCombination.PValue(hi, count) <= FisherCombination.PValue(lo, count) + 1e-15).ToProperty();
    }

    [Property(MaxTest = 300)]
    public Property A_more_extreme_subcluster_never_has_a_larger_percentile(NonEmptyArray<int> controls, int value, PositiveInt step)
    {
        var c = controls.Get.Select(v => (double)(v % 100)).ToArray();
        double x = value % 100, higher = x + step.Get % 50;
        double p = SubclusterPercentile.Compute(x, c, MeasureOrientation.HigherIsSpecialised);
        double q = SubclusterPercentile.Compute(higher, c, MeasureOrientation.HigherIsSpecialised);
        return (q <= p && p is > 0 and < 1).ToProperty();
    }
}
