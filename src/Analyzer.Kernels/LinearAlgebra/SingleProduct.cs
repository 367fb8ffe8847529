using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// Both products of one float32 matrix, Y = B·X and Z = Bᵀ·W, in float32 arithmetic: twice the multiply-adds per
/// cycle of <see cref="DenseProduct.MultiplyBothWays"/> and half the bytes, for the early cycles of the eigensolver on
/// large graphs, where a relative error near 1e-6 costs nothing (docs/design.md, large graphs). Every entry is one
/// chain of fused multiply-adds in a fixed order (Y over the columns of B; Z over the rows of each band of
/// <see cref="DenseProduct.TransposeBand"/> rows, the bands added in order), so the AVX-512 or AVX2 tiles, the plain loops
/// and any thread count give the same bits (<see cref="SingleProductReference"/>).
/// </summary>
public static unsafe class SingleProduct
{
    /// <summary>Whether vector tiles run (AVX-512, or AVX2 with FMA): without them the products take plain loops, slower
    /// than <see cref="DenseProduct"/>'s float64 tiles, and callers should use those.</summary>
    public static bool Vectorised => VectorPaths.Avx512 || VectorPaths.Avx2;

    /// <summary>The AVX2 tiles run (eight lanes, four rows of two vectors).</summary>
    private static bool Eight => !VectorPaths.Avx512 && VectorPaths.Avx2;

    private const int InnerBlock = 256;
    private const int Panel = 16;
    private const int RowTile = 6;

    /// <summary>B [rows x cols] row-major (leading dimension ldb), X [cols x vecs], W [rows x vecs], Y [rows x vecs], Z [cols x vecs].</summary>
    public static void MultiplyBothWays(float[] b, int ldb, int rows, int cols, float[] x, float[] w, float[] y, float[] z,
        int vecs, int maxThreads = -1)
    {
        Check(b.Length, ldb, rows, cols, nameof(b));
        Check(x.Length, vecs, cols, vecs, nameof(x));
        Check(w.Length, vecs, rows, vecs, nameof(w));
        Check(y.Length, vecs, rows, vecs, nameof(y));
        Check(z.Length, vecs, cols, vecs, nameof(z));
        int band = DenseProduct.TransposeBand, bands = (rows + band - 1) / band, bandLength = cols * vecs;
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var partials = new float[bands][];
        partials[0] = z;
        for (int i = 1; i < bands; i++) partials[i] = pool.Rent(bandLength);
        var normal = new Strided(b, ldb, 1);
        var transposed = new Strided(b, 1, ldb);
        var options = Parallelism.Options(maxThreads);
        if (bands >= 2 * options.MaxDegreeOfParallelism || (long)rows * cols * vecs < 1 << 18 || options.MaxDegreeOfParallelism == 1)
        {
            // Each band on its own: its rows of Y and its part of Z, the tile of B used for both while in cache.
            void Band(int index)
            {
                var into = partials[index];
                Array.Clear(into, 0, bandLength);
                int start = index * band, end = Math.Min(rows, start + band);
                Array.Clear(y, start * vecs, (end - start) * vecs);
                for (int k0 = 0; k0 < cols; k0 += InnerBlock)
                {
                    int kn = Math.Min(cols, k0 + InnerBlock) - k0;
                    for (int r0 = start; r0 < end; r0 += 64)
                    {
                        int r1 = Math.Min(end, r0 + 64);
                        MultiplyBlock(normal, x, vecs, y, vecs, r0, r1, k0, kn, vecs);
                        MultiplyBlock(transposed, w, vecs, into, vecs, k0, k0 + kn, r0, r1 - r0, vecs);
                    }
                }
            }
            if (bands >= 2 * options.MaxDegreeOfParallelism && options.MaxDegreeOfParallelism > 1) Parallel.For(0, bands, options, Band);
            else for (int i = 0; i < bands; i++) Band(i);
        }
        else
        {
            // Too few bands to share: the threads split Y's rows, then each band's Z rows (the same sums, the same bits).
            int panels = (rows + 63) / 64;
            Parallel.For(0, panels, options, p =>
            {
                int r0 = p * 64, r1 = Math.Min(rows, r0 + 64);
                Array.Clear(y, r0 * vecs, (r1 - r0) * vecs);
                for (int k0 = 0; k0 < cols; k0 += InnerBlock)
                    MultiplyBlock(normal, x, vecs, y, vecs, r0, r1, k0, Math.Min(cols, k0 + InnerBlock) - k0, vecs);
            });
            int zPanels = (cols + 63) / 64;
            for (int i = 0; i < bands; i++)
            {
                var into = partials[i];
                int start = i * band, end = Math.Min(rows, start + band);
                Parallel.For(0, zPanels, options, p =>
                {
                    int c0 = p * 64, c1 = Math.Min(cols, c0 + 64);
                    Array.Clear(into, c0 * vecs, (c1 - c0) * vecs);
                    MultiplyBlock(transposed, w, vecs, into, vecs, c0, c1, start, end - start, vecs);
                });
            }
        }
        for (int i = 1; i < bands; i++)
        {
            var from = partials[i].AsSpan(0, bandLength);
            for (int j = 0; j < from.Length; j++) z[j] += from[j];
            pool.Return(partials[i]);
        }
    }

    /// <summary>Matrix A as the kernels read it: entry (i, k) at Values[i·Row + k·Inner].</summary>
    private readonly record struct Strided(float[] Values, int Row, int Inner);

    private static void Check(int length, int ld, int rows, int cols, string name)
    {
        if (ld < cols || (rows > 0 && (long)(rows - 1) * ld + cols > length))
            throw new ArgumentException($"matrix '{name}' of {length} elements cannot hold {rows} x {cols} with leading dimension {ld}", name);
    }

    /// <summary>C[r0..r1, 0..cols) += A[r0..r1, k0..k0+kn) · B[k0..k0+kn, 0..cols).</summary>
    private static void MultiplyBlock(Strided a, float[] b, int ldb, float[] c, int ldc, int r0, int r1, int k0, int kn, int cols)
    {
        int rs = a.Row, ks = a.Inner;
        int fullCols = VectorPaths.Avx512 ? cols / Panel * Panel : 0;
        fixed (float* pa = a.Values, pb = b, pc = c)
        {
            if (Eight)
            {
                int j = 0;
                for (; j + Panel <= cols; j += Panel)
                {
                    int i = r0;
                    for (; i + 4 <= r1; i += 4)
                        Tile4x16Eight(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j, ldb, pc + (long)i * ldc + j, ldc, kn);
                    Scalar(pa, rs, ks, pb, ldb, pc, ldc, i, r1, k0, kn, j, j + Panel);
                }
                Scalar(pa, rs, ks, pb, ldb, pc, ldc, r0, r1, k0, kn, j, cols);
                return;
            }
            int j0 = 0;
            for (; j0 + 2 * Panel <= fullCols; j0 += 2 * Panel)
            {
                int i = r0;
                for (; i + RowTile <= r1; i += RowTile)
                    Tile6x32(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0, ldb, pc + (long)i * ldc + j0, ldc, kn);
                for (; i + 4 <= r1; i += 4)
                    for (int half = 0; half < 2; half++)
                        Tile4x16(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0 + half * Panel, ldb,
                            pc + (long)i * ldc + j0 + half * Panel, ldc, kn);
                Scalar(pa, rs, ks, pb, ldb, pc, ldc, i, r1, k0, kn, j0, j0 + 2 * Panel);
            }
            for (; j0 < fullCols; j0 += Panel)
            {
                int i = r0;
                for (; i + RowTile <= r1; i += RowTile)
                    Tile6x16(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0, ldb, pc + (long)i * ldc + j0, ldc, kn);
                for (; i + 4 <= r1; i += 4)
                    Tile4x16(pa + (long)i * rs + (long)k0 * ks, rs, ks, pb + (long)k0 * ldb + j0, ldb, pc + (long)i * ldc + j0, ldc, kn);
                Scalar(pa, rs, ks, pb, ldb, pc, ldc, i, r1, k0, kn, j0, j0 + Panel);
            }
            Scalar(pa, rs, ks, pb, ldb, pc, ldc, r0, r1, k0, kn, j0, cols);
        }
    }

    /// <summary>The entries the tiles leave: the same fused multiply-adds in the same order.</summary>
    private static void Scalar(float* a, int rs, int ks, float* b, int ldb, float* c, int ldc, int r0, int r1, int k0, int kn,
        int j0, int j1)
    {
        if (j0 >= j1) return;
        for (int i = r0; i < r1; i++)
            for (int k = k0; k < k0 + kn; k++)
            {
                float av = a[(long)i * rs + (long)k * ks];
                float* brow = b + (long)k * ldb;
                float* crow = c + (long)i * ldc;
                for (int j = j0; j < j1; j++) crow[j] = MathF.FusedMultiplyAdd(av, brow[j], crow[j]);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x32(float* a, int rs, int ks, float* b, int ldb, float* c, int ldc, int kn)
    {
        Vector512<float> c00 = Vector512.Load(c), c01 = Vector512.Load(c + 16);
        Vector512<float> c10 = Vector512.Load(c + ldc), c11 = Vector512.Load(c + ldc + 16);
        Vector512<float> c20 = Vector512.Load(c + 2 * ldc), c21 = Vector512.Load(c + 2 * ldc + 16);
        Vector512<float> c30 = Vector512.Load(c + 3 * ldc), c31 = Vector512.Load(c + 3 * ldc + 16);
        Vector512<float> c40 = Vector512.Load(c + 4 * ldc), c41 = Vector512.Load(c + 4 * ldc + 16);
        Vector512<float> c50 = Vector512.Load(c + 5 * ldc), c51 = Vector512.Load(c + 5 * ldc + 16);
        long r2 = 2L * rs, r3 = 3L * rs, r4 = 4L * rs, r5 = 5L * rs;
        float* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            float* brow = b + (long)k * ldb;
            Vector512<float> b0 = Vector512.Load(brow), b1 = Vector512.Load(brow + 16);
            Vector512<float> v = Vector512.Create(ak[0]);
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
        c00.Store(c); c01.Store(c + 16);
        c10.Store(c + ldc); c11.Store(c + ldc + 16);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
        c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
        c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
        c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile6x16(float* a, int rs, int ks, float* b, int ldb, float* c, int ldc, int kn)
    {
        Vector512<float> c0 = Vector512.Load(c), c1 = Vector512.Load(c + ldc), c2 = Vector512.Load(c + 2 * ldc);
        Vector512<float> c3 = Vector512.Load(c + 3 * ldc), c4 = Vector512.Load(c + 4 * ldc), c5 = Vector512.Load(c + 5 * ldc);
        long r2 = 2L * rs, r3 = 3L * rs, r4 = 4L * rs, r5 = 5L * rs;
        float* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            Vector512<float> row = Vector512.Load(b + (long)k * ldb);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[0]), row, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[rs]), row, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r2]), row, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r3]), row, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r4]), row, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r5]), row, c5);
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc);
        c3.Store(c + 3 * ldc); c4.Store(c + 4 * ldc); c5.Store(c + 5 * ldc);
    }

    /// <summary>The four rows a 64-row panel or a 256-row band leaves after its 6-row tiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x16(float* a, int rs, int ks, float* b, int ldb, float* c, int ldc, int kn)
    {
        Vector512<float> c0 = Vector512.Load(c), c1 = Vector512.Load(c + ldc), c2 = Vector512.Load(c + 2 * ldc), c3 = Vector512.Load(c + 3 * ldc);
        long r2 = 2L * rs, r3 = 3L * rs;
        float* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            Vector512<float> row = Vector512.Load(b + (long)k * ldb);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[0]), row, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[rs]), row, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r2]), row, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(ak[r3]), row, c3);
        }
        c0.Store(c); c1.Store(c + ldc); c2.Store(c + 2 * ldc); c3.Store(c + 3 * ldc);
    }

    /// <summary>Four rows by sixteen columns with AVX2: two vectors per row, eight accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4x16Eight(float* a, int rs, int ks, float* b, int ldb, float* c, int ldc, int kn)
    {
        Vector256<float> c00 = Vector256.Load(c), c01 = Vector256.Load(c + 8);
        Vector256<float> c10 = Vector256.Load(c + ldc), c11 = Vector256.Load(c + ldc + 8);
        Vector256<float> c20 = Vector256.Load(c + 2 * ldc), c21 = Vector256.Load(c + 2 * ldc + 8);
        Vector256<float> c30 = Vector256.Load(c + 3 * ldc), c31 = Vector256.Load(c + 3 * ldc + 8);
        long r2 = 2L * rs, r3 = 3L * rs;
        float* ak = a;
        for (int k = 0; k < kn; k++, ak += ks)
        {
            float* brow = b + (long)k * ldb;
            Vector256<float> b0 = Vector256.Load(brow), b1 = Vector256.Load(brow + 8);
            Vector256<float> v = Vector256.Create(ak[0]);
            c00 = Vector256.FusedMultiplyAdd(v, b0, c00); c01 = Vector256.FusedMultiplyAdd(v, b1, c01);
            v = Vector256.Create(ak[rs]);
            c10 = Vector256.FusedMultiplyAdd(v, b0, c10); c11 = Vector256.FusedMultiplyAdd(v, b1, c11);
            v = Vector256.Create(ak[r2]);
            c20 = Vector256.FusedMultiplyAdd(v, b0, c20); c21 = Vector256.FusedMultiplyAdd(v, b1, c21);
            v = Vector256.Create(ak[r3]);
            c30 = Vector256.FusedMultiplyAdd(v, b0, c30); c31 = Vector256.FusedMultiplyAdd(v, b1, c31);
        }
        c00.Store(c); c01.Store(c + 8); c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8); c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
    }
}
