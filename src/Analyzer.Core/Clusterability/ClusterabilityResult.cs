namespace Analyzer.Core.Clusterability;

/// <summary>
/// The n-cut of a network's weight graph beside the n-cuts of its shuffled controls. Z is (n-cut - mean) / sd of the
/// controls (ddof 1; negative: more clusterable than chance; NaN when the controls do not vary); Percentile is the share
/// of controls, in percent, with a lower n-cut (ties, within 1e-9, count half): low means more clusterable than chance.
/// </summary>
public sealed record ClusterabilityResult(int K, double NormalizedCut, int[] Labels, WeightShuffle Shuffle, double[] ShuffledCuts,
    double Z, double Percentile);
