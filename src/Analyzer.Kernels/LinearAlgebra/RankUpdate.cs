using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// A dense layer's output with some input features zeroed, from its intact output: Y = Y0 − X[:, F]·W[F, :] for rows of
/// X [rows x features] and W [features x outputs] (row-major), F the removed features. This is a lesion of the units
/// feeding those features, at |F|·outputs multiply-adds per row instead of the layer's features·outputs. Every entry is
/// one chain of fused multiply-adds from Y0 over F in order, so the AVX-512 or AVX2 tiles and the plain loops
/// (<see cref="RankUpdateReference"/>) give the same bits.
/// </summary>
public static class RankUpdate
{
    private const int RowTile = 6;
    private const int Lanes = 16;

    /// <param name="y0">Intact outputs [rows x outputs].</param>
    /// <param name="x">The layer's inputs [rows x features].</param>
    /// <param name="removed">The zeroed features F, in the order their terms are subtracted.</param>
    /// <param name="weights">W [features x outputs]: output j of a row is Σ_f x[f]·W[f, j] (+ bias).</param>
    /// <param name="into">Y [rows x outputs].</param>
    public static void Subtract(ReadOnlySpan<float> y0, ReadOnlySpan<float> x, int features, ReadOnlySpan<int> removed,
        ReadOnlySpan<float> weights, Span<float> into, int rows, int outputs)
    {
        Check(y0.Length, (long)rows * outputs, nameof(y0));
        Check(x.Length, (long)rows * features, nameof(x));
        Check(weights.Length, (long)features * outputs, nameof(weights));
        Check(into.Length, (long)rows * outputs, nameof(into));
        foreach (int f in removed)
            if ((uint)f >= (uint)features) throw new ArgumentOutOfRangeException(nameof(removed), $"feature {f} of {features}");
        if (!(Wide || VectorPaths.Avx2) || rows == 0 || outputs == 0)
        {
            RankUpdateReference.Subtract(y0, x, features, removed, weights, into, rows, outputs);
            return;
        }
        Update(y0, new DenseRows(x, features, removed), removed, weights, into, rows, outputs);
    }

    /// <summary>
    /// Y = Y0 − R·W_U for the receptive-field rows R of a conv restricted to some input channels
    /// (<see cref="ReceptiveFields"/>) and W_U [fields.Features x outputs] its kernel over them, feature by feature in the
    /// fields' order: a lesion of those channels at one conv, read from the input map without writing R out. The same
    /// chains of fused multiply-adds as <see cref="Subtract"/> on R's rows written out.
    /// </summary>
    public static void SubtractFields(ReadOnlySpan<float> y0, ReceptiveFields fields, ReadOnlySpan<float> weights, Span<float> into, int outputs)
    {
        int rows = fields.Rows, features = fields.Features;
        Check(y0.Length, (long)rows * outputs, nameof(y0));
        Check(weights.Length, (long)features * outputs, nameof(weights));
        Check(into.Length, (long)rows * outputs, nameof(into));
        var all = new int[features];
        for (int f = 0; f < features; f++) all[f] = f;
        if (!(Wide || VectorPaths.Avx2) || rows == 0 || outputs == 0)
        {
            var written = new float[rows * features];
            fields.Fill(written);
            RankUpdateReference.Subtract(y0, written, features, all, weights, into, rows, outputs);
            return;
        }
        Update(y0, fields, all, weights, into, rows, outputs);
    }

    /// <summary>The rows of X at the removed features.</summary>
    private readonly ref struct DenseRows(ReadOnlySpan<float> x, int features, ReadOnlySpan<int> removed) : IRankUpdateRows
    {
        private readonly ReadOnlySpan<float> x = x;
        private readonly ReadOnlySpan<int> removed = removed;

        public void Negated(int first, int count, Span<float> scaled, int stride)
        {
            for (int q = 0; q < removed.Length; q++)
                for (int i = 0; i < count; i++) scaled[q * stride + i] = -x[(first + i) * features + removed[q]];
        }
    }

    /// <summary>The vector path: tiles of six rows, their −x from <paramref name="source"/>, the q-th term's weights at row
    /// <paramref name="weightRows"/>[q] of W.</summary>
    private static void Update<TSource>(ReadOnlySpan<float> y0, TSource source, ReadOnlySpan<int> weightRows, ReadOnlySpan<float> weights,
        Span<float> into, int rows, int outputs) where TSource : IRankUpdateRows, allows ref struct
    {
        int r = weightRows.Length, wide = outputs / Lanes * Lanes;
        // −x of a tile's rows at the removed features, feature-major (the broadcasts of the inner loops), and the
        // removed rows of W past the last full vector, padded to one vector with zeros.
        var scaled = new float[RowTile * r];
        var narrowWeights = new float[wide < outputs ? Lanes * r : 0];
        // Where the q-th removed row starts, in W and in the padded copy.
        var wideStart = new int[r];
        var narrowStart = new int[r];
        for (int q = 0; q < r; q++) (wideStart[q], narrowStart[q]) = (weightRows[q] * outputs, q * Lanes);
        if (wide < outputs)
            for (int q = 0; q < r; q++)
                weights.Slice(weightRows[q] * outputs + wide, outputs - wide).CopyTo(narrowWeights.AsSpan(q * Lanes));
        int e = 0;
        for (; e + RowTile <= rows; e += RowTile)
        {
            source.Negated(e, RowTile, scaled, RowTile);
            Tile(y0.Slice(e * outputs, RowTile * outputs), scaled, weights, wideStart, narrowWeights, narrowStart,
                into.Slice(e * outputs, RowTile * outputs), outputs);
        }
        if (e < rows)
        {
            // The last rows, padded to a tile: the padding rows subtract nothing and are not copied back.
            int left = rows - e;
            var y0Tile = new float[RowTile * outputs];
            var intoTile = new float[RowTile * outputs];
            y0.Slice(e * outputs, left * outputs).CopyTo(y0Tile);
            Array.Clear(scaled);
            source.Negated(e, left, scaled, RowTile);
            Tile(y0Tile, scaled, weights, wideStart, narrowWeights, narrowStart, intoTile, outputs);
            intoTile.AsSpan(0, left * outputs).CopyTo(into.Slice(e * outputs));
        }
    }

    /// <summary>Six rows: 64 outputs at a time in 24 accumulators, then 16 at a time, then the rest as one padded vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(ReadOnlySpan<float> y0, float[] scaled, ReadOnlySpan<float> weights, int[] wideStart,
        float[] narrowWeights, int[] narrowStart, Span<float> into, int outputs)
    {
        ref float y = ref Unsafe.AsRef(in y0[0]);
        ref float w = ref Unsafe.AsRef(in weights[0]);
        ref float o = ref into[0];
        ref float s = ref MemoryMarshal.GetArrayDataReference(scaled);
        int r = wideStart.Length, j = 0;
        for (; Wide && j + 64 <= outputs; j += 64)
        {
            var c00 = Vector512.LoadUnsafe(ref y, (nuint)(j + 0)); var c01 = Vector512.LoadUnsafe(ref y, (nuint)(j + 16)); var c02 = Vector512.LoadUnsafe(ref y, (nuint)(j + 32)); var c03 = Vector512.LoadUnsafe(ref y, (nuint)(j + 48));
            var c10 = Vector512.LoadUnsafe(ref y, (nuint)(1 * outputs + j + 0)); var c11 = Vector512.LoadUnsafe(ref y, (nuint)(1 * outputs + j + 16)); var c12 = Vector512.LoadUnsafe(ref y, (nuint)(1 * outputs + j + 32)); var c13 = Vector512.LoadUnsafe(ref y, (nuint)(1 * outputs + j + 48));
            var c20 = Vector512.LoadUnsafe(ref y, (nuint)(2 * outputs + j + 0)); var c21 = Vector512.LoadUnsafe(ref y, (nuint)(2 * outputs + j + 16)); var c22 = Vector512.LoadUnsafe(ref y, (nuint)(2 * outputs + j + 32)); var c23 = Vector512.LoadUnsafe(ref y, (nuint)(2 * outputs + j + 48));
            var c30 = Vector512.LoadUnsafe(ref y, (nuint)(3 * outputs + j + 0)); var c31 = Vector512.LoadUnsafe(ref y, (nuint)(3 * outputs + j + 16)); var c32 = Vector512.LoadUnsafe(ref y, (nuint)(3 * outputs + j + 32)); var c33 = Vector512.LoadUnsafe(ref y, (nuint)(3 * outputs + j + 48));
            var c40 = Vector512.LoadUnsafe(ref y, (nuint)(4 * outputs + j + 0)); var c41 = Vector512.LoadUnsafe(ref y, (nuint)(4 * outputs + j + 16)); var c42 = Vector512.LoadUnsafe(ref y, (nuint)(4 * outputs + j + 32)); var c43 = Vector512.LoadUnsafe(ref y, (nuint)(4 * outputs + j + 48));
            var c50 = Vector512.LoadUnsafe(ref y, (nuint)(5 * outputs + j + 0)); var c51 = Vector512.LoadUnsafe(ref y, (nuint)(5 * outputs + j + 16)); var c52 = Vector512.LoadUnsafe(ref y, (nuint)(5 * outputs + j + 32)); var c53 = Vector512.LoadUnsafe(ref y, (nuint)(5 * outputs + j + 48));
            for (int q = 0; q < r; q++)
            {
                nuint at = (nuint)(wideStart[q] + j);
                var w0 = Vector512.LoadUnsafe(ref w, at); var w1 = Vector512.LoadUnsafe(ref w, at + 16);
                var w2 = Vector512.LoadUnsafe(ref w, at + 32); var w3 = Vector512.LoadUnsafe(ref w, at + 48);
                nuint sq = (nuint)(q * RowTile);
                var a = Vector512.Create(Unsafe.Add(ref s, sq + 0));
                c00 = Vector512.FusedMultiplyAdd(a, w0, c00); c01 = Vector512.FusedMultiplyAdd(a, w1, c01);
                c02 = Vector512.FusedMultiplyAdd(a, w2, c02); c03 = Vector512.FusedMultiplyAdd(a, w3, c03);
                a = Vector512.Create(Unsafe.Add(ref s, sq + 1));
                c10 = Vector512.FusedMultiplyAdd(a, w0, c10); c11 = Vector512.FusedMultiplyAdd(a, w1, c11);
                c12 = Vector512.FusedMultiplyAdd(a, w2, c12); c13 = Vector512.FusedMultiplyAdd(a, w3, c13);
                a = Vector512.Create(Unsafe.Add(ref s, sq + 2));
                c20 = Vector512.FusedMultiplyAdd(a, w0, c20); c21 = Vector512.FusedMultiplyAdd(a, w1, c21);
                c22 = Vector512.FusedMultiplyAdd(a, w2, c22); c23 = Vector512.FusedMultiplyAdd(a, w3, c23);
                a = Vector512.Create(Unsafe.Add(ref s, sq + 3));
                c30 = Vector512.FusedMultiplyAdd(a, w0, c30); c31 = Vector512.FusedMultiplyAdd(a, w1, c31);
                c32 = Vector512.FusedMultiplyAdd(a, w2, c32); c33 = Vector512.FusedMultiplyAdd(a, w3, c33);
                a = Vector512.Create(Unsafe.Add(ref s, sq + 4));
                c40 = Vector512.FusedMultiplyAdd(a, w0, c40); c41 = Vector512.FusedMultiplyAdd(a, w1, c41);
                c42 = Vector512.FusedMultiplyAdd(a, w2, c42); c43 = Vector512.FusedMultiplyAdd(a, w3, c43);
                a = Vector512.Create(Unsafe.Add(ref s, sq + 5));
                c50 = Vector512.FusedMultiplyAdd(a, w0, c50); c51 = Vector512.FusedMultiplyAdd(a, w1, c51);
                c52 = Vector512.FusedMultiplyAdd(a, w2, c52); c53 = Vector512.FusedMultiplyAdd(a, w3, c53);
            }
            c00.StoreUnsafe(ref o, (nuint)(j + 0)); c01.StoreUnsafe(ref o, (nuint)(j + 16)); c02.StoreUnsafe(ref o, (nuint)(j + 32)); c03.StoreUnsafe(ref o, (nuint)(j + 48));
            c10.StoreUnsafe(ref o, (nuint)(1 * outputs + j + 0)); c11.StoreUnsafe(ref o, (nuint)(1 * outputs + j + 16)); c12.StoreUnsafe(ref o, (nuint)(1 * outputs + j + 32)); c13.StoreUnsafe(ref o, (nuint)(1 * outputs + j + 48));
            c20.StoreUnsafe(ref o, (nuint)(2 * outputs + j + 0)); c21.StoreUnsafe(ref o, (nuint)(2 * outputs + j + 16)); c22.StoreUnsafe(ref o, (nuint)(2 * outputs + j + 32)); c23.StoreUnsafe(ref o, (nuint)(2 * outputs + j + 48));
            c30.StoreUnsafe(ref o, (nuint)(3 * outputs + j + 0)); c31.StoreUnsafe(ref o, (nuint)(3 * outputs + j + 16)); c32.StoreUnsafe(ref o, (nuint)(3 * outputs + j + 32)); c33.StoreUnsafe(ref o, (nuint)(3 * outputs + j + 48));
            c40.StoreUnsafe(ref o, (nuint)(4 * outputs + j + 0)); c41.StoreUnsafe(ref o, (nuint)(4 * outputs + j + 16)); c42.StoreUnsafe(ref o, (nuint)(4 * outputs + j + 32)); c43.StoreUnsafe(ref o, (nuint)(4 * outputs + j + 48));
            c50.StoreUnsafe(ref o, (nuint)(5 * outputs + j + 0)); c51.StoreUnsafe(ref o, (nuint)(5 * outputs + j + 16)); c52.StoreUnsafe(ref o, (nuint)(5 * outputs + j + 32)); c53.StoreUnsafe(ref o, (nuint)(5 * outputs + j + 48));
        }
        for (; j + Lanes <= outputs; j += Lanes)
            Sixteen(ref Unsafe.Add(ref y, j), outputs, ref Unsafe.Add(ref w, j), wideStart, ref s, ref Unsafe.Add(ref o, j), outputs);
        if (j == outputs) return;
        // Fewer than 16 outputs left (a layer of class scores has only these): one zero-padded vector per row.
        int narrow = outputs - j;
        Span<float> pad = stackalloc float[RowTile * Lanes];
        pad.Clear();
        for (int i = 0; i < RowTile; i++) y0.Slice(i * outputs + j, narrow).CopyTo(pad.Slice(i * Lanes));
        ref float p = ref pad[0];
        Sixteen(ref p, Lanes, ref MemoryMarshal.GetArrayDataReference(narrowWeights), narrowStart, ref s, ref p, Lanes);
        for (int i = 0; i < RowTile; i++) pad.Slice(i * Lanes, narrow).CopyTo(into.Slice(i * outputs + j));
    }

    /// <summary>Whether the AVX-512 path runs (else AVX2 with FMA, the same sums eight lanes at a time).</summary>
    private static bool Wide => VectorPaths.Avx512;

    /// <summary>Sixteen outputs of the tile's six rows: row i of Y0 at y[i·rowStride], of Y at o[i·rowStride]; the q-th
    /// removed row of W at w[start[q]]; −x at s, feature-major.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sixteen(ref float y, int rowStride, ref float w, int[] start, ref float s, ref float o, int outStride)
    {
        if (!Wide)
        {
            SixteenEight(ref y, rowStride, ref w, start, ref s, ref o, outStride);
            return;
        }
        var c0 = Vector512.LoadUnsafe(ref y, (nuint)(0));
        var c1 = Vector512.LoadUnsafe(ref y, (nuint)(1 * rowStride));
        var c2 = Vector512.LoadUnsafe(ref y, (nuint)(2 * rowStride));
        var c3 = Vector512.LoadUnsafe(ref y, (nuint)(3 * rowStride));
        var c4 = Vector512.LoadUnsafe(ref y, (nuint)(4 * rowStride));
        var c5 = Vector512.LoadUnsafe(ref y, (nuint)(5 * rowStride));
        for (int q = 0; q < start.Length; q++)
        {
            var w0 = Vector512.LoadUnsafe(ref w, (nuint)start[q]);
            nuint sq = (nuint)(q * RowTile);
            c0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 0)), w0, c0);
            c1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 1)), w0, c1);
            c2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 2)), w0, c2);
            c3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 3)), w0, c3);
            c4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 4)), w0, c4);
            c5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref s, sq + 5)), w0, c5);
        }
        c0.StoreUnsafe(ref o, (nuint)(0));
        c1.StoreUnsafe(ref o, (nuint)(1 * outStride));
        c2.StoreUnsafe(ref o, (nuint)(2 * outStride));
        c3.StoreUnsafe(ref o, (nuint)(3 * outStride));
        c4.StoreUnsafe(ref o, (nuint)(4 * outStride));
        c5.StoreUnsafe(ref o, (nuint)(5 * outStride));
    }

    /// <summary><see cref="Sixteen"/> with AVX2: two vectors per row, twelve accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SixteenEight(ref float y, int rowStride, ref float w, int[] start, ref float s, ref float o, int outStride)
    {
        var c00 = Vector256.LoadUnsafe(ref y, 0); var c01 = Vector256.LoadUnsafe(ref y, 8);
        var c10 = Vector256.LoadUnsafe(ref y, (nuint)rowStride); var c11 = Vector256.LoadUnsafe(ref y, (nuint)rowStride + 8);
        var c20 = Vector256.LoadUnsafe(ref y, (nuint)(2 * rowStride)); var c21 = Vector256.LoadUnsafe(ref y, (nuint)(2 * rowStride) + 8);
        var c30 = Vector256.LoadUnsafe(ref y, (nuint)(3 * rowStride)); var c31 = Vector256.LoadUnsafe(ref y, (nuint)(3 * rowStride) + 8);
        var c40 = Vector256.LoadUnsafe(ref y, (nuint)(4 * rowStride)); var c41 = Vector256.LoadUnsafe(ref y, (nuint)(4 * rowStride) + 8);
        var c50 = Vector256.LoadUnsafe(ref y, (nuint)(5 * rowStride)); var c51 = Vector256.LoadUnsafe(ref y, (nuint)(5 * rowStride) + 8);
        for (int q = 0; q < start.Length; q++)
        {
            var w0 = Vector256.LoadUnsafe(ref w, (nuint)start[q]); var w1 = Vector256.LoadUnsafe(ref w, (nuint)start[q] + 8);
            nuint sq = (nuint)(q * RowTile);
            var a = Vector256.Create(Unsafe.Add(ref s, sq + 0));
            c00 = Vector256.FusedMultiplyAdd(a, w0, c00); c01 = Vector256.FusedMultiplyAdd(a, w1, c01);
            a = Vector256.Create(Unsafe.Add(ref s, sq + 1));
            c10 = Vector256.FusedMultiplyAdd(a, w0, c10); c11 = Vector256.FusedMultiplyAdd(a, w1, c11);
            a = Vector256.Create(Unsafe.Add(ref s, sq + 2));
            c20 = Vector256.FusedMultiplyAdd(a, w0, c20); c21 = Vector256.FusedMultiplyAdd(a, w1, c21);
            a = Vector256.Create(Unsafe.Add(ref s, sq + 3));
            c30 = Vector256.FusedMultiplyAdd(a, w0, c30); c31 = Vector256.FusedMultiplyAdd(a, w1, c31);
            a = Vector256.Create(Unsafe.Add(ref s, sq + 4));
            c40 = Vector256.FusedMultiplyAdd(a, w0, c40); c41 = Vector256.FusedMultiplyAdd(a, w1, c41);
            a = Vector256.Create(Unsafe.Add(ref s, sq + 5));
            c50 = Vector256.FusedMultiplyAdd(a, w0, c50); c51 = Vector256.FusedMultiplyAdd(a, w1, c51);
        }
        c00.StoreUnsafe(ref o, 0); c01.StoreUnsafe(ref o, 8);
        c10.StoreUnsafe(ref o, (nuint)outStride); c11.StoreUnsafe(ref o, (nuint)outStride + 8);
        c20.StoreUnsafe(ref o, (nuint)(2 * outStride)); c21.StoreUnsafe(ref o, (nuint)(2 * outStride) + 8);
        c30.StoreUnsafe(ref o, (nuint)(3 * outStride)); c31.StoreUnsafe(ref o, (nuint)(3 * outStride) + 8);
        c40.StoreUnsafe(ref o, (nuint)(4 * outStride)); c41.StoreUnsafe(ref o, (nuint)(4 * outStride) + 8);
        c50.StoreUnsafe(ref o, (nuint)(5 * outStride)); c51.StoreUnsafe(ref o, (nuint)(5 * outStride) + 8);
    }

    private static void Check(int length, long needed, string name)
    {
        if (length < needed) throw new ArgumentException($"{name} holds {length} values; {needed} needed", name);
    }
}
