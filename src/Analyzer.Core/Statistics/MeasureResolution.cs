using System.Globalization;

namespace Analyzer.Core.Statistics;

/// <summary>
/// Whether a measure's values can say anything about specialization (docs/method.md §7, degenerate measures). Feature
/// visualisations often drive a model's softmax to one-hot; the entropies are then below what the model's own float32
/// softmax resolves, and comparing them compares how far each image pushed the logits apart, not coherence. A measure
/// is degenerate for a partitioning when at least half of its values (true subclusters and controls) lie below its
/// floor; its cells are marked instead of bolded and its p-values leave the multiple-testing correction.
/// </summary>
public static class MeasureResolution
{
    /// <summary>Entropy (nats) of a softmax whose non-top mass is float32's ε = 2^-24 (on one class): any lower and the
    /// model's float32 output is one-hot. H = -(1 - ε) ln(1 - ε) - ε ln ε ≈ 1.05e-6.</summary>
    public static readonly double EntropyFloor = Entropy(Math.Pow(2, -24));

    /// <summary>Why the values are degenerate, or null when they are not.</summary>
    /// <param name="floor">The value below which the measure resolves nothing; null when every value is meaningful.</param>
    public static string? Degenerate(double? floor, IReadOnlyCollection<double> values)
    {
        if (floor is null || values.Count == 0) return null;
        int below = values.Count(v => v < floor);
        if (2 * below < values.Count) return null;
        return string.Create(CultureInfo.InvariantCulture,
            $"{100.0 * below / values.Count:F0} % of the values are below {floor.Value.ToString("0.#e+0", CultureInfo.InvariantCulture)} nats, where a float32 softmax is one-hot: the images saturate the output, and the comparison is of logit gaps, not of coherence");
    }

    private static double Entropy(double epsilon) => -(1 - epsilon) * Math.Log(1 - epsilon) - epsilon * Math.Log(epsilon);
}
