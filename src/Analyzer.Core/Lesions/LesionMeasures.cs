namespace Analyzer.Core.Lesions;

/// <summary>
/// The lesion measures of METHOD.md 6: acc-drop = Acc(model) - Acc(lesioned); class drops D_c = Acc_c(model) -
/// Acc_c(lesioned); class-range = max_c D_c - min_c D_c over the classes that have test examples.
/// </summary>
public static class LesionMeasures
{
    public static double AccuracyDrop(LesionOutcome baseline, LesionOutcome lesioned) => baseline.Accuracy - lesioned.Accuracy;

    public static double[] ClassDrops(LesionOutcome baseline, LesionOutcome lesioned) =>
        baseline.ClassAccuracy.Zip(lesioned.ClassAccuracy, (b, l) => b - l).ToArray();

    public static double ClassRange(IReadOnlyList<double> classDrops)
    {
        var present = classDrops.Where(double.IsFinite).ToArray();
        return present.Length == 0 ? double.NaN : present.Max() - present.Min();
    }
}
