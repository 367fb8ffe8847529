namespace Analyzer.Core.Statistics;

/// <summary>Which direction of a measure looks specialised: larger for acc-drop, class-range and vis-score; smaller for
/// softmax-entropy (docs/method.md §7).</summary>
public enum MeasureOrientation
{
    HigherIsSpecialised,
    LowerIsSpecialised,
}

/// <summary>What a measure's direction implies for its effects.</summary>
public static class MeasureOrientations
{
    /// <summary>Whether a mean effect lies more than two standard errors beyond 1 in the measure's specialised direction.</summary>
    public static bool IsNotable(EffectSummary effect, MeasureOrientation orientation) =>
        effect.Count > 1 && (orientation == MeasureOrientation.LowerIsSpecialised
            ? effect.Mean + 2 * effect.StandardError < 1
            : effect.Mean - 2 * effect.StandardError > 1);
}
