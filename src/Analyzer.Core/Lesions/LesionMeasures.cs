namespace Analyzer.Core.Lesions;

/// <summary>
/// The lesion measures of docs/method.md §6: acc-drop = Acc(model) - Acc(lesioned); class drops D_c = Acc_c(model) -
/// Acc_c(lesioned); class-range = max_c D_c - min_c D_c over the classes that have test examples.
/// </summary>
public static class LesionMeasures
{
    public static double AccuracyDrop(LesionOutcome baseline, LesionOutcome lesioned) => baseline.Accuracy - lesioned.Accuracy;

    /// <summary>The reference code's accuracy drop: of the mean per-class accuracy (docs/method.md §9).</summary>
    public static double MeanClassAccuracyDrop(LesionOutcome baseline, LesionOutcome lesioned) =>
        MeanOfPresent(baseline.ClassAccuracy) - MeanOfPresent(lesioned.ClassAccuracy);

    /// <summary>The reference code's class range: (max D - min D) / |mean D| (docs/method.md §9); infinite when mean D is 0.</summary>
    public static double NormalisedClassRange(IReadOnlyList<double> classDrops)
    {
        var present = classDrops.Where(double.IsFinite).ToArray();
        if (present.Length == 0) return double.NaN;
        return (present.Max() - present.Min()) / Math.Abs(present.Average());
    }

    private static double MeanOfPresent(IReadOnlyList<double> values) => values.Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    public static double[] ClassDrops(LesionOutcome baseline, LesionOutcome lesioned) =>
        baseline.ClassAccuracy.Zip(lesioned.ClassAccuracy, (b, l) => b - l).ToArray();

    public static double ClassRange(IReadOnlyList<double> classDrops)
    {
        var present = classDrops.Where(double.IsFinite).ToArray();
        return present.Length == 0 ? double.NaN : present.Max() - present.Min();
    }
}
