namespace Analyzer.Core.Statistics;

/// <summary>Which direction of a measure looks specialised: larger for acc-drop, class-range and vis-score; smaller for
/// softmax-entropy (METHOD.md 7).</summary>
public enum MeasureOrientation
{
    HigherIsSpecialised,
    LowerIsSpecialised,
}
