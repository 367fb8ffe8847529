namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Squared Spearman rank correlations (docs/method.md §3) between two ranges of units, one tile at a time, so that
/// a graph of any size is computed in pieces that fit in memory. A correlation is the dot product of two
/// <see cref="SpearmanRanks"/> rows; a constant unit's correlations are 0, and so is a unit's own.
/// </summary>
public interface ISpearmanKernel
{
    /// <summary>tile[r·cols + c] = r²(rowStart + r, colStart + c), with |r| clamped to 1. A tile whose row and column
    /// ranges are the same is exactly symmetric.</summary>
    void SquaredTile(SpearmanRanks ranks, int rowStart, int rows, int colStart, int cols, double[] tile);
}

/// <summary>The whole matrix at once, for graphs small enough to hold densely (and for the tests).</summary>
public static class SpearmanKernelExtensions
{
    private const int Tile = 256;

    /// <param name="samples">[samples x units], row-major.</param>
    /// <returns>[units x units], row-major, symmetric; diagonal 0.</returns>
    public static double[] SquaredCorrelations(this ISpearmanKernel kernel, double[] samples, int sampleCount, int units, out bool[] constant)
    {
        var ranks = SpearmanRanks.OfSamples(samples, sampleCount, units);
        var result = new double[(long)units * units];
        var tile = new double[Tile * Tile];
        for (int i = 0; i < units; i += Tile)
            for (int j = i; j < units; j += Tile)
            {
                int rows = Math.Min(Tile, units - i), cols = Math.Min(Tile, units - j);
                kernel.SquaredTile(ranks, i, rows, j, cols, tile);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++)
                        result[(long)(i + r) * units + j + c] = result[(long)(j + c) * units + i + r] = tile[r * cols + c];
            }
        constant = ranks.Constant;
        return result;
    }
}
