namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// Which 64 x 64 tiles of a matrix hold any non-zero entry. Graphs of layered networks are block-sparse (a layer only
/// touches its neighbours), so a product that skips zero tiles does a fraction of the dense work; the mask is built
/// once per matrix and reused across the many products of an iterative solver.
/// </summary>
public sealed class TileMask
{
    public const int Size = 64;

    private readonly bool[] nonzero;

    private TileMask(bool[] nonzero, int rowTiles, int colTiles, int rows, int cols)
    {
        this.nonzero = nonzero;
        RowTiles = rowTiles;
        ColTiles = colTiles;
        Rows = rows;
        Cols = cols;
    }

    public int RowTiles { get; }
    public int ColTiles { get; }
    public int Rows { get; }
    public int Cols { get; }

    /// <summary>Fraction of tiles that hold a non-zero entry.</summary>
    public double Density => nonzero.Count(z => z) / (double)nonzero.Length;

    public bool IsNonzero(int rowTile, int colTile) => nonzero[rowTile * ColTiles + colTile];

    /// <summary>Scans a row-major [rows x cols] matrix with leading dimension lda.</summary>
    public static TileMask Of(double[] a, int lda, int rows, int cols)
    {
        int rowTiles = (rows + Size - 1) / Size, colTiles = (cols + Size - 1) / Size;
        var nonzero = new bool[rowTiles * colTiles];
        for (int i = 0; i < rows; i++)
        {
            int rowTile = i / Size;
            var row = a.AsSpan(i * lda, cols);
            for (int t = 0; t < colTiles; t++)
            {
                if (nonzero[rowTile * colTiles + t]) continue;
                var tile = row.Slice(t * Size, Math.Min(Size, cols - t * Size));
                if (tile.IndexOfAnyExcept(0.0) >= 0) nonzero[rowTile * colTiles + t] = true;
            }
        }
        return new TileMask(nonzero, rowTiles, colTiles, rows, cols);
    }
}
