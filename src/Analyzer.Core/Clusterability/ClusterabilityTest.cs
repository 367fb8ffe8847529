using Analyzer.Core.Statistics;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clusterability;

/// <summary>
/// "Is this network more clusterable than chance?" (docs/method.md §8, after Filan et al. 2021): the weight graph is
/// partitioned into k clusters, then each of N controls with the weights shuffled within each layer, with the same
/// spectral options (the step callback runs after each of the N + 1 partitions); control i shuffles with its own seed, so the result does not depend on the thread count.
/// </summary>
public static class ClusterabilityTest
{
    public static ClusterabilityResult Run(BlockGraph graph, int k, SpectralOptions options, int shuffles, WeightShuffle mode, int seed,
        Action? step = null)
    {
        if (shuffles < 2) throw new ArgumentOutOfRangeException(nameof(shuffles), shuffles, "at least 2 shuffled controls are needed");
        var partition = SpectralPartitioner.Partition(graph, k, options, seed);
        step?.Invoke();
        var cuts = new double[shuffles];
        for (int i = 0; i < shuffles; i++)
        {
            var control = ShuffledGraph.Of(graph, mode, new Random(StableSeed.Of(seed, "clusterability", i, -1)));
            cuts[i] = SpectralPartitioner.Partition(control, k, options, seed).NormalizedCut;
            step?.Invoke();
        }
        return new ClusterabilityResult(k, partition.NormalizedCut, partition.Labels, mode, cuts, ZScore(partition.NormalizedCut, cuts),
            Percentile(partition.NormalizedCut, cuts));
    }

    public static double ZScore(double value, IReadOnlyList<double> controls)
    {
        double mean = controls.Average();
        double sd = Math.Sqrt(controls.Sum(c => (c - mean) * (c - mean)) / (controls.Count - 1));
        return sd > 0 ? (value - mean) / sd : double.NaN;
    }

    /// <summary>N-cuts closer than this are ties: they differ by rounding, not by structure (n-cuts lie in [0, k]).</summary>
    public const double TieTolerance = 1e-9;

    public static double Percentile(double value, IReadOnlyList<double> controls) =>
        100.0 * (controls.Count(c => c < value - TieTolerance) + 0.5 * controls.Count(c => Math.Abs(c - value) <= TieTolerance)) / controls.Count;
}
