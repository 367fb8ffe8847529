namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Squared Spearman rank correlations between all pairs of units (docs/method.md §3): ranks per unit with average ties,
/// Pearson correlation of the ranks, squared; diagonal 0. A unit whose values are all equal has no defined correlation:
/// it is reported in <c>constant</c> and its row and column are 0.
/// </summary>
public interface ISpearmanKernel
{
    /// <param name="samples">[samples x units], row-major.</param>
    /// <returns>[units x units], row-major, symmetric.</returns>
    double[] SquaredCorrelations(double[] samples, int sampleCount, int units, out bool[] constant);
}
