namespace Analyzer.Core.Statistics;

/// <summary>Mean effect over subclusters with its standard error sd(e, ddof = 1)/√n.</summary>
public readonly record struct EffectSummary(double Mean, double StandardError, int Count);

/// <summary>
/// The effect measure of a subcluster (docs/method.md §7): e = 2x/(x + μ), with x the true value and μ the mean of its
/// controls, both clipped at 0, and e = 1 when both are 0. Lies in [0, 2]; above 1, the true subcluster exceeds the
/// typical random one.
/// </summary>
public static class EffectMeasure
{
    public static double Compute(double value, IReadOnlyList<double> controls)
    {
        ArgumentNullException.ThrowIfNull(controls);
        if (controls.Count == 0) throw new ArgumentException("at least one control value is needed", nameof(controls));
        double x = Math.Max(value, 0), mu = Math.Max(controls.Average(), 0);
        return x + mu == 0 ? 1.0 : 2 * x / (x + mu);
    }

    /// <summary>The reference code's acc-drop effect (docs/method.md §9): 2x/(x + μ) only when both are positive, else 0.</summary>
    public static double ComputeReference(double value, IReadOnlyList<double> controls)
    {
        double mu = controls.Average();
        return value > 0 && mu > 0 ? 2 * value / (value + mu) : 0.0;
    }

    public static EffectSummary Summarise(IReadOnlyList<double> effects)
    {
        ArgumentNullException.ThrowIfNull(effects);
        int n = effects.Count;
        if (n == 0) return new EffectSummary(double.NaN, double.NaN, 0);
        double mean = effects.Average();
        if (n == 1) return new EffectSummary(mean, double.NaN, 1);
        double variance = effects.Sum(e => (e - mean) * (e - mean)) / (n - 1);
        return new EffectSummary(mean, Math.Sqrt(variance / n), n);
    }
}
