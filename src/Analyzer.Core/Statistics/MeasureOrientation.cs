namespace Analyzer.Core.Statistics;

/// <summary>Which direction of a measure looks specialised: larger for acc-drop, class-range and vis-score; smaller for
/// softmax-entropy (docs/method.md §7).</summary>
public enum MeasureOrientation
{
    HigherIsSpecialised,
    LowerIsSpecialised,
}

/// <summary>The direction of each measure by its name (docs/design.md measure keys).</summary>
public static class MeasureOrientations
{
    public static MeasureOrientation Of(string measure) =>
        measure == "softmax-entropy" ? MeasureOrientation.LowerIsSpecialised : MeasureOrientation.HigherIsSpecialised;

    /// <summary>Whether a mean effect lies more than two standard errors beyond 1 in the measure's specialised direction.</summary>
    public static bool IsNotable(EffectSummary effect, MeasureOrientation orientation) =>
        effect.Count > 1 && (orientation == MeasureOrientation.LowerIsSpecialised
            ? effect.Mean + 2 * effect.StandardError < 1
            : effect.Mean - 2 * effect.StandardError > 1);
}
