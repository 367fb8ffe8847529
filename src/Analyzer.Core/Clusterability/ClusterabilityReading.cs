using static System.FormattableString;

namespace Analyzer.Core.Clusterability;

/// <summary>
/// What a clusterability result means, in words (docs/method.md §8): the sign of z read as more or less clusterable than
/// the same weights shuffled within each layer, how far out among the controls the model's n-cut lies, and, when the
/// network has convolutions, that their shuffle moves whole kernels' norms rather than single weights.
/// </summary>
public static class ClusterabilityReading
{
    /// <param name="convolutions">How many of the network's layers are convolutions.</param>
    /// <param name="layers">How many layers the weight graph has.</param>
    public static string Of(double? z, double percentile, int shuffles, int convolutions, int layers)
    {
        string sign = z switch
        {
            null => "The shuffled networks' n-cuts do not vary, so z is undefined; the percentile alone places the model.",
            < 0 => Invariant($"z = {z:F2} < 0: the model's n-cut is lower than the shuffled networks' on average, so its weights are more clusterable than the same weights arranged at random within each layer."),
            _ => Invariant($"z = {z:+0.00;-0.00} > 0: the model's n-cut is higher than the shuffled networks' on average, so its weights are less clusterable than the same weights arranged at random within each layer (a finding, not an error: the partition of the trained weights cuts more of their weight than the partitions of the shuffled ones do)."),
        };
        string place = percentile <= 0 ? $"Its n-cut is below all {shuffles} controls."
            : percentile >= 100 ? $"Its n-cut is above all {shuffles} controls."
            : Invariant($"{percentile:F1}% of the {shuffles} controls have a lower n-cut.");
        string kernels = convolutions == 0 ? ""
            : $" {convolutions} of its {layers} layers are convolutions: their edges are kernels' L1 norms, and the shuffle moves " +
              "whole kernels between channel pairs (each kernel's total stays whole), not single weights, so a conv network " +
              "is compared with networks whose kernels, not whose weights, are placed at random.";
        return $"{sign} {place}{kernels}";
    }
}
