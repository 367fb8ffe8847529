namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// B = Aᵀ for row-major matrices, in 32 x 32 tiles so that both the reads and the writes stay within a few cache lines
/// at a time (a column-by-column copy of a [samples x units] matrix touches a new line on every element).
/// </summary>
public static class Transpose
{
    private const int Tile = 32;

    /// <param name="a">[rows x cols] row-major.</param>
    /// <param name="b">[cols x rows] row-major, written.</param>
    public static void Apply(double[] a, int rows, int cols, double[] b)
    {
        if (a.LongLength != (long)rows * cols || b.LongLength != (long)rows * cols)
            throw new ArgumentException($"expected {rows} x {cols} values in both matrices");
        int tileRows = (rows + Tile - 1) / Tile;
        Parallel.For(0, tileRows, Parallelism.Options(), t =>
        {
            int r0 = t * Tile, r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                for (int r = r0; r < r1; r++)
                    for (int c = c0; c < c1; c++)
                        b[(long)c * rows + r] = a[(long)r * cols + c];
            }
        });
    }

    /// <summary>The same, one element at a time in row order: the reference <see cref="Apply"/> is tested against.</summary>
    public static void Reference(double[] a, int rows, int cols, double[] b)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                b[(long)c * rows + r] = a[(long)r * cols + c];
    }
}
