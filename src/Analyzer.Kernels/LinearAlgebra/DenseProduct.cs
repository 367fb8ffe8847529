using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// Fast float64 matrix products on the CPU: register-tiled micro-kernels (AVX-512 or AVX2 with FMA through
/// System.Runtime.Intrinsics), blocked over the inner dimension for cache reuse and parallel over row panels. Each
/// output element is summed in a fixed order whatever the thread count, so results are deterministic. Checked against
/// <see cref="DenseProductReference"/>.
/// </summary>
public static unsafe class DenseProduct
{
    private const int InnerBlock = 256;
    private const int ColumnPanel = 16;
    /// <summary>Columns per task when few rows are split by columns (a multiple of <see cref="ColumnPanel"/>).</summary>
    private const int ColumnChunk = 128;

    /// <summary>C[rows x cols] = A[rows x inner] B[inner x cols]; row-major with leading dimensions lda, ldb, ldc.</summary>
    /// <param name="mask">Optional zero-tile mask of A (<see cref="TileMask.Of"/>): zero tiles are skipped.</param>
    public static void Multiply(double[] a, int lda, double[] b, int ldb, double[] c, int ldc, int rows, int inner, int cols,
        int maxThreads = -1, TileMask? mask = null)
    {
        Check(a.Length, lda, rows, inner, nameof(a));
        Check(b.Length, ldb, inner, cols, nameof(b));
        Check(c.Length, ldc, rows, cols, nameof(c));
        if (mask is not null && (mask.Rows != rows || mask.Cols != inner))
            throw new ArgumentException($"mask is for a {mask.Rows} x {mask.Cols} matrix; A is {rows} x {inner}", nameof(mask));
        MultiplyUnchecked(new Strided(a, lda, 1), b, ldb, c, ldc, rows, inner, cols, maxThreads, mask);
    }

    /// <summary>C[rows x cols] = Aᵀ B with A stored [inner x rows] (leading dimension lda): the product of a matrix's
    /// transpose without transposing it. Each entry is summed exactly as <see cref="Multiply"/> sums it for the
    /// transposed matrix, so the two give the same bits.</summary>
    public static void MultiplyTransposedA(double[] a, int lda, double[] b, int ldb, double[] c, int ldc, int rows, int inner, int cols,
        int maxThreads = -1)
    {
        Check(a.Length, lda, inner, rows, nameof(a));
        Check(b.Length, ldb, inner, cols, nameof(b));
        Check(c.Length, ldc, rows, cols, nameof(c));
        MultiplyUnchecked(new Strided(a, 1, lda), b, ldb, c, ldc, rows, inner, cols, maxThreads);
    }

    /// <summary>Most inner indices per slice of <see cref="MultiplyTransposedAInSlices"/>.</summary>
    public const int InnerSlice = 4096;

    /// <summary>
    /// C = Aᵀ B as <see cref="MultiplyTransposedA"/>, for a long inner dimension and few rows (a tall basis' transpose times
    /// a block of vectors, a Gram matrix): the inner dimension is cut into equal slices of at most <see cref="InnerSlice"/>,
    /// the slices summed in parallel and added in order. Row panels alone leave such a product on one or two threads. The bits do
    /// not depend on the thread count, and equal MultiplyTransposedA's when inner ≤ InnerSlice.
    /// </summary>
    public static void MultiplyTransposedAInSlices(double[] a, int lda, double[] b, int ldb, double[] c, int ldc, int rows, int inner,
        int cols, int maxThreads = -1)
    {
        int slices = (inner + InnerSlice - 1) / InnerSlice;
        if (slices <= 1)
        {
            MultiplyTransposedA(a, lda, b, ldb, c, ldc, rows, inner, cols, maxThreads);
            return;
        }
        Check(a.Length, lda, inner, rows, nameof(a));
        Check(b.Length, ldb, inner, cols, nameof(b));
        Check(c.Length, ldc, rows, cols, nameof(c));
        int rowTile = Vector512.IsHardwareAccelerated ? 6 : 4;
        int panels = (rows + 63) / 64;
        int length = ((inner + slices - 1) / slices + InnerBlock - 1) / InnerBlock * InnerBlock;
        slices = (inner + length - 1) / length;
        var pool = System.Buffers.ArrayPool<double>.Shared;
        var partials = new double[slices][];
        for (int s = 1; s < slices; s++) partials[s] = pool.Rent(rows * cols);
        var transposed = new Strided(a, 1, lda);
        Parallel.For(0, (long)slices * panels, Parallelism.Options(maxThreads), task =>
        {
            int slice = (int)(task / panels), r0 = (int)(task % panels) * 64, r1 = Math.Min(rows, r0 + 64);
            int start = slice * length, end = Math.Min(inner, start + length);
            if (slice == 0) MultiplyRows(transposed, b, ldb, c, ldc, r0, r1, end, 0, cols, rowTile, null, innerStart: start);
            else MultiplyRows(transposed, b, ldb, partials[slice], cols, r0, r1, end, 0, cols, rowTile, null, innerStart: start);
        });
        for (int s = 1; s < slices; s++)
        {
            var from = partials[s];
            for (int i = 0; i < rows; i++)
            {
                var into = c.AsSpan(i * ldc, cols);
                var add = from.AsSpan(i * cols, cols);
                for (int j = 0; j < cols; j++) into[j] += add[j];
            }
            pool.Return(from);
        }
    }

    /// <summary>Rows of B per band of <see cref="MultiplyBothWays"/>: each band sums its part of Bᵀ·W on its own.</summary>
    public const int TransposeBand = 256;

    /// <summary>
    /// Both products of one matrix: Y = B·X and Z = Bᵀ·W, with B [rows x cols] row-major (leading dimension ldb),
    /// X [cols x vecs], W [rows x vecs], Y [rows x vecs], Z [cols x vecs]. Where B has bands enough for every thread, each
    /// tile of B is used for both while it is in cache, so B is read from memory once, not twice (a symmetric operator
    /// stored as its upper blocks; ViT-B/16's 75 MB blocks); otherwise the two are computed apart.
    /// Y has the bits of <see cref="Multiply"/>. Z is summed over bands of <see cref="TransposeBand"/> rows of B, each as
    /// <see cref="MultiplyTransposedA"/> sums it, and the bands added in order: the bits of MultiplyTransposedA when B has
    /// at most one band, and never dependent on the thread count.
    /// </summary>
    public static void MultiplyBothWays(double[] b, int ldb, int rows, int cols, double[] x, double[] w, double[] y, double[] z,
        int vecs, int maxThreads = -1)
    {
        Check(b.Length, ldb, rows, cols, nameof(b));
        Check(x.Length, vecs, cols, vecs, nameof(x));
        Check(w.Length, vecs, rows, vecs, nameof(w));
        Check(y.Length, vecs, rows, vecs, nameof(y));
        Check(z.Length, vecs, cols, vecs, nameof(z));
        int rowTile = Vector512.IsHardwareAccelerated ? 6 : 4;
        int bands = (rows + TransposeBand - 1) / TransposeBand;
        int bandLength = cols * vecs;
        var pool = System.Buffers.ArrayPool<double>.Shared;
        var partials = new double[bands][];
        partials[0] = z;
        for (int band = 1; band < bands; band++) partials[band] = pool.Rent(bandLength);
        var normal = new Strided(b, ldb, 1);
        var transposed = new Strided(b, 1, ldb);
        void Band(int band)
        {
            var into = partials[band];
            Array.Clear(into, 0, bandLength);
            int start = band * TransposeBand, end = Math.Min(rows, start + TransposeBand);
            Array.Clear(y, start * vecs, (end - start) * vecs);
            // Inner blocks outermost: the slices of X and Z they touch stay in cache while the band's row panels pass.
            for (int k0 = 0; k0 < cols; k0 += InnerBlock)
            {
                int kn = Math.Min(cols, k0 + InnerBlock) - k0;
                for (int r0 = start; r0 < end; r0 += 64)
                {
                    int r1 = Math.Min(end, r0 + 64);
                    MultiplyBlock(normal, x, vecs, y, vecs, r0, r1, k0, kn, vecs, rowTile);
                    MultiplyBlock(transposed, w, vecs, into, vecs, k0, k0 + kn, r0, r1 - r0, vecs, rowTile);
                }
            }
        }
        var options = Parallelism.Options(maxThreads);
        if ((long)rows * cols * vecs < 1 << 18 || options.MaxDegreeOfParallelism == 1)
            for (int band = 0; band < bands; band++) Band(band);
        else if (bands >= 2 * options.MaxDegreeOfParallelism)
            Parallel.For(0, bands, options, Band);
        else
        {
            // Too few bands to share among the threads: the two products apart, each parallel over its own row panels,
            // with Z still summed band by band (the same bits as above).
            MultiplyUnchecked(normal, x, vecs, y, vecs, rows, cols, vecs, maxThreads);
            for (int band = 0; band < bands; band++)
                MultiplyUnchecked(transposed, w, vecs, partials[band], vecs, cols, Math.Min(rows, (band + 1) * TransposeBand), vecs,
                    maxThreads, innerStart: band * TransposeBand);
        }
        for (int band = 1; band < bands; band++)
        {
            var from = partials[band].AsSpan(0, bandLength);
            for (int i = 0; i < from.Length; i++) z[i] += from[i];
            pool.Return(partials[band]);
        }
    }

    /// <summary>Matrix A as the kernels read it: entry (i, k) at Values[i·Row + k·Inner].</summary>
    private readonly record struct Strided(double[] Values, int Row, int Inner);

    private static void Check(int length, int ld, int rows, int cols, string name)
    {
        if (ld < cols || (rows > 0 && (long)(rows - 1) * ld + cols > length))
            throw new ArgumentException($"matrix '{name}' of {length} elements cannot hold {rows} x {cols} with leading dimension {ld}", name);
    }

    /// <summary>
    /// C = A·B for a square symmetric result (A·Aᵀ, Gram and correlation matrices): only the entries on and above the
    /// diagonal are guaranteed (whole column panels below each row panel are skipped, about half the work); mirror them.
    /// </summary>
    public static void MultiplyUpper(double[] a, int lda, double[] b, int ldb, double[] c, int ldc, int n, int inner, int maxThreads = -1)
    {
        Check(a.Length, lda, n, inner, nameof(a));
        Check(b.Length, ldb, inner, n, nameof(b));
        Check(c.Length, ldc, n, n, nameof(c));
        MultiplyUnchecked(new Strided(a, lda, 1), b, ldb, c, ldc, n, inner, n, maxThreads, null, upperOnly: true);
    }

    /// <summary>C = A·B over inner indices [innerStart, inner).</summary>
    private static void MultiplyUnchecked(Strided a, double[] b, int ldb, double[] c, int ldc, int rows, int inner,
        int cols, int maxThreads, TileMask? mask = null, bool upperOnly = false, int innerStart = 0)
    {
        int rowTile = Vector512.IsHardwareAccelerated ? 6 : 4;
        int panels = (rows + 63) / 64;
        var options = Parallelism.Options(maxThreads);
        if ((long)rows * (inner - innerStart) * cols < 1 << 18 || options.MaxDegreeOfParallelism == 1)
        {
            for (int p = 0; p < panels; p++)
                MultiplyRows(a, b, ldb, c, ldc, p * 64, Math.Min(rows, p * 64 + 64), inner, 0, cols, rowTile, mask, upperOnly, innerStart);
            return;
        }
        int chunks = (cols + ColumnChunk - 1) / ColumnChunk;
        if (panels < 2 * options.MaxDegreeOfParallelism && chunks > 1 && !upperOnly)
        {
            // Few rows (a block of vectors times a wide matrix): the threads share the columns instead. Each output entry
            // is summed as in a row panel, so the bits do not depend on the split.
            Parallel.For(0, (long)panels * chunks, options, task =>
            {
                int r0 = (int)(task / chunks) * 64, j0 = (int)(task % chunks) * ColumnChunk;
                MultiplyRows(a, b, ldb, c, ldc, r0, Math.Min(rows, r0 + 64), inner, j0, Math.Min(cols, j0 + ColumnChunk),
                    rowTile, mask, upperOnly: false, innerStart);
            });
            return;
        }
        Parallel.For(0, panels, options, p =>
        {
            int r0 = p * 64, r1 = Math.Min(rows, r0 + 64);
            MultiplyRows(a, b, ldb, c, ldc, r0, r1, inner, 0, cols, rowTile, mask, upperOnly, innerStart);
        });
    }

    /// <summary>Rows [r0, r1) and columns [j0, j1) of C; j0 is a multiple of <see cref="ColumnPanel"/>.</summary>
    private static void MultiplyRows(Strided a, double[] b, int ldb, double[] c, int ldc, int r0, int r1, int inner,
        int j0, int j1, int rowTile, TileMask? mask, bool upperOnly = false, int innerStart = 0)
    {
        // Upper only: column panels that end before this row panel starts lie wholly below the diagonal.
        int firstColumn = upperOnly ? r0 / ColumnPanel * ColumnPanel : j0;
        for (int i = r0; i < r1; i++) Array.Clear(c, i * ldc + j0, j1 - j0);
        for (int k0 = innerStart; k0 < inner; k0 += InnerBlock)
        {
            int kEnd = Math.Min(inner, k0 + InnerBlock);
            if (mask is null)
            {
                MultiplyBlock(a, b, ldb, c, ldc, r0, r1, k0, kEnd - k0, j1, rowTile, firstColumn);
                continue;
            }
            // Runs of non-zero tiles within this inner block (row panels are 64 rows, one tile row, when masked).
            int rowTileIndex = r0 / TileMask.Size;
            for (int t = k0 / TileMask.Size; t * TileMask.Size < kEnd;)
            {
                if (!mask.IsNonzero(rowTileIndex, t)) { t++; continue; }
                int start = t * TileMask.Size;
                while (t * TileMask.Size < kEnd && mask.IsNonzero(rowTileIndex, t)) t++;
                int end = Math.Min(kEnd, t * TileMask.Size);
                MultiplyBlock(a, b, ldb, c, ldc, r0, r1, start, end - start, j1, rowTile, firstColumn);
            }
        }
    }

    /// <summary>Columns [firstColumn, cols) of rows [r0, r1), inner indices [k0, k0 + kn).</summary>
    private static void MultiplyBlock(Strided a, double[] b, int ldb, double[] c, int ldc, int r0, int r1, int k0,
        int kn, int cols, int rowTile, int firstColumn = 0)
    {
        int fullCols = Vector256.IsHardwareAccelerated && Fma.IsSupported ? cols / ColumnPanel * ColumnPanel : Math.Min(firstColumn, cols);
        int rs = a.Row, ks = a.Inner;
        fixed (double* pa = a.Values, pb = b, pc = c)
        {
            for (int j0 = Math.Min(firstColumn, fullCols); j0 < fullCols; j0 += ColumnPanel)
            {
                int i = r0;
                if (rowTile == 6)
                    for (; i + 6 <= r1; i += 6)
                        Tile6x16(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0, ldb, pc + (long)i * ldc + j0, ldc, kn);
                for (; i + 4 <= r1; i += 4)
                    Tile4x16(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0, ldb, pc + (long)i * ldc + j0, ldc, kn);
                for (; i < r1; i++)
                    Scalar(pa, rs, ks, pb, ldb, pc, ldc, i, i + 1, k0, kn, j0, j0 + ColumnPanel);
            }
            if (fullCols < cols)
                Scalar(pa, rs, ks, pb, ldb, pc, ldc, r0, r1, k0, kn, Math.Max(fullCols, firstColumn), cols);
        }
    }

    /// <summary>The entries the tiles leave, with one fused multiply-add per term as the tiles do, so that an entry has
    /// the same bits whichever path computes it.</summary>
    private static void Scalar(double* a, int rs, int ks, double* b, int ldb, double* c, int ldc, int r0, int r1, int k0, int kn,
        int j0, int j1)
    {
        for (int i = r0; i < r1; i++)
            for (int k = k0; k < k0 + kn; k++)
            {
                double av = a[(long)i * rs + (long)k * ks];
                double* brow = b + (long)k * ldb;
                double* crow = c + (long)i * ldc;
                for (int j = j0; j < j1; j++) crow[j] = Math.FusedMultiplyAdd(av, brow[j], crow[j]);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16(double* a, int rs, int ks, double* b, int ldb, double* c, int ldc, int kn)
    {
        Vector512<double> c00 = Vector512.Load(c), c01 = Vector512.Load(c + 8);
        Vector512<double> c10 = Vector512.Load(c + ldc), c11 = Vector512.Load(c + ldc + 8);
        Vector512<double> c20 = Vector512.Load(c + 2 * ldc), c21 = Vector512.Load(c + 2 * ldc + 8);
        Vector512<double> c30 = Vector512.Load(c + 3 * ldc), c31 = Vector512.Load(c + 3 * ldc + 8);
        Vector512<double> c40 = Vector512.Load(c + 4 * ldc), c41 = Vector512.Load(c + 4 * ldc + 8);
        Vector512<double> c50 = Vector512.Load(c + 5 * ldc), c51 = Vector512.Load(c + 5 * ldc + 8);
        long r2 = 2L * rs, r3 = 3L * rs, r4 = 4L * rs, r5 = 5L * rs;
        double* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            double* brow = b + (long)k * ldb;
            Vector512<double> b0 = Vector512.Load(brow), b1 = Vector512.Load(brow + 8);
            Vector512<double> v = Vector512.Create(ak[0]);
            c00 = Vector512.FusedMultiplyAdd(v, b0, c00); c01 = Vector512.FusedMultiplyAdd(v, b1, c01);
            v = Vector512.Create(ak[rs]);
            c10 = Vector512.FusedMultiplyAdd(v, b0, c10); c11 = Vector512.FusedMultiplyAdd(v, b1, c11);
            v = Vector512.Create(ak[r2]);
            c20 = Vector512.FusedMultiplyAdd(v, b0, c20); c21 = Vector512.FusedMultiplyAdd(v, b1, c21);
            v = Vector512.Create(ak[r3]);
            c30 = Vector512.FusedMultiplyAdd(v, b0, c30); c31 = Vector512.FusedMultiplyAdd(v, b1, c31);
            v = Vector512.Create(ak[r4]);
            c40 = Vector512.FusedMultiplyAdd(v, b0, c40); c41 = Vector512.FusedMultiplyAdd(v, b1, c41);
            v = Vector512.Create(ak[r5]);
            c50 = Vector512.FusedMultiplyAdd(v, b0, c50); c51 = Vector512.FusedMultiplyAdd(v, b1, c51);
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x16(double* a, int rs, int ks, double* b, int ldb, double* c, int ldc, int kn)
    {
        Vector256<double> c00 = Vector256.Load(c), c01 = Vector256.Load(c + 4), c02 = Vector256.Load(c + 8), c03 = Vector256.Load(c + 12);
        double* r1 = c + ldc, r2 = c + 2 * ldc, r3 = c + 3 * ldc;
        Vector256<double> c10 = Vector256.Load(r1), c11 = Vector256.Load(r1 + 4), c12 = Vector256.Load(r1 + 8), c13 = Vector256.Load(r1 + 12);
        Vector256<double> c20 = Vector256.Load(r2), c21 = Vector256.Load(r2 + 4), c22 = Vector256.Load(r2 + 8), c23 = Vector256.Load(r2 + 12);
        Vector256<double> c30 = Vector256.Load(r3), c31 = Vector256.Load(r3 + 4), c32 = Vector256.Load(r3 + 8), c33 = Vector256.Load(r3 + 12);
        long ra2 = 2L * rs, ra3 = 3L * rs;
        double* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            double* brow = b + (long)k * ldb;
            Vector256<double> b0 = Vector256.Load(brow), b1 = Vector256.Load(brow + 4), b2 = Vector256.Load(brow + 8), b3 = Vector256.Load(brow + 12);
            Vector256<double> v = Vector256.Create(ak[0]);
            c00 = Vector256.FusedMultiplyAdd(v, b0, c00); c01 = Vector256.FusedMultiplyAdd(v, b1, c01);
            c02 = Vector256.FusedMultiplyAdd(v, b2, c02); c03 = Vector256.FusedMultiplyAdd(v, b3, c03);
            v = Vector256.Create(ak[rs]);
            c10 = Vector256.FusedMultiplyAdd(v, b0, c10); c11 = Vector256.FusedMultiplyAdd(v, b1, c11);
            c12 = Vector256.FusedMultiplyAdd(v, b2, c12); c13 = Vector256.FusedMultiplyAdd(v, b3, c13);
            v = Vector256.Create(ak[ra2]);
            c20 = Vector256.FusedMultiplyAdd(v, b0, c20); c21 = Vector256.FusedMultiplyAdd(v, b1, c21);
            c22 = Vector256.FusedMultiplyAdd(v, b2, c22); c23 = Vector256.FusedMultiplyAdd(v, b3, c23);
            v = Vector256.Create(ak[ra3]);
            c30 = Vector256.FusedMultiplyAdd(v, b0, c30); c31 = Vector256.FusedMultiplyAdd(v, b1, c31);
            c32 = Vector256.FusedMultiplyAdd(v, b2, c32); c33 = Vector256.FusedMultiplyAdd(v, b3, c33);
        }
        c00.Store(c); c01.Store(c + 4); c02.Store(c + 8); c03.Store(c + 12);
        c10.Store(r1); c11.Store(r1 + 4); c12.Store(r1 + 8); c13.Store(r1 + 12);
        c20.Store(r2); c21.Store(r2 + 4); c22.Store(r2 + 8); c23.Store(r2 + 12);
        c30.Store(r3); c31.Store(r3 + 4); c32.Store(r3 + 8); c33.Store(r3 + 12);
    }
}
