using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// What the sparse-input kernels (<see cref="SparseInputLayer"/>, <see cref="SparseConvLayer"/>) share: a weight matrix
/// W [features x outputs] in panels of 64 (or 16) outputs, the union of the nonzero features of four rows (found with
/// AVX-512 compress, or AVX2 masks), and the product of those four rows over their union with one panel, each weight
/// vector loaded once for four rows' fused multiply-adds. A feature zero in one of the four adds 0·w, which leaves its sum as it was
/// (weights are finite), so each entry is the chain of fused multiply-adds from the bias over its own nonzero features
/// in the order they were appended.
/// </summary>
internal sealed class SparsePanels
{
    public const int Lanes = 16;
    public const int Group = 4;
    // W in panels of `Width` outputs, each [features x Width] contiguous, the last padded with zeros; the bias alike.
    private readonly float[] panels;
    private readonly float[] paddedBias;

    public SparsePanels(float[] weights, float[] bias, int features, int outputs)
    {
        (Features, Outputs) = (features, outputs);
        // Four rows of a 64-wide panel take 16 of AVX-512's 32 registers; with AVX2's 16 registers, a 16-wide panel (two
        // vectors per row) leaves room for the weights.
        Width = outputs > 3 * Lanes && Wide ? 4 * Lanes : Lanes;
        Count = (outputs + Width - 1) / Width;
        panels = new float[(long)Count * features * Width];
        paddedBias = new float[Count * Width];
        for (int p = 0; p < Count; p++)
            for (int f = 0; f < features; f++)
            {
                int from = p * Width, count = Math.Min(Width, outputs - from);
                weights.AsSpan(f * outputs + from, count).CopyTo(panels.AsSpan((int)(((long)p * features + f) * Width)));
            }
        bias.CopyTo(paddedBias, 0);
    }

    public int Features { get; }

    public int Outputs { get; }

    /// <summary>Outputs per panel (64, or 16 for a layer of at most 48 outputs).</summary>
    public int Width { get; }

    /// <summary>Panels.</summary>
    public int Count { get; }

    public long Bytes => sizeof(float) * (panels.LongLength + paddedBias.Length);

    /// <summary>Whether this CPU runs a vector path, AVX-512 or AVX2 with FMA (else the callers use their plain loops).</summary>
    public static bool Supported => Wide || VectorPaths.Avx2;

    /// <summary>Whether the AVX-512 path runs (else AVX2's, eight lanes at a time).</summary>
    private static bool Wide => VectorPaths.Avx512;

    /// <summary>Appends to a union the features base .. base + length - 1 nonzero in any of four rows (a row whose start is
    /// negative is absent: zeros), reading row i's run at <paramref name="starts"/>[i] in <paramref name="x"/>: their
    /// indices to <paramref name="kept"/> and each row's value (φ applied; 0 where zero) to values[i·room + q]. Both
    /// need room for one whole vector past the last kept feature. Returns the union's new count.</summary>
    public static int Append(ReadOnlySpan<float> x, ReadOnlySpan<long> starts, int length, int baseFeature, bool rectified,
        Span<int> kept, Span<float> values, int room, int count)
    {
        if (!Wide) return AppendEight(x, starts, length, baseFeature, rectified, kept, values, room, count);
        ref float first = ref MemoryMarshal.GetReference(x);
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v = ref MemoryMarshal.GetReference(values);
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Span<Vector512<float>> rowsAt = stackalloc Vector512<float>[Group];
        int f = 0;
        for (; f + Lanes <= length; f += Lanes)
        {
            var any = Vector512<float>.Zero;
            for (int i = 0; i < Group; i++)
            {
                var row = starts[i] >= 0 ? Vector512.LoadUnsafe(ref first, (nuint)(starts[i] + f)) : Vector512<float>.Zero;
                var nonzero = rectified ? Vector512.GreaterThan(row, Vector512<float>.Zero) : ~Vector512.Equals(row, Vector512<float>.Zero);
                rowsAt[i] = rectified ? row & nonzero : row;
                any |= nonzero;
            }
            if (any == Vector512<float>.Zero) continue;
            Avx512F.Compress(Vector512<int>.Zero, any.AsInt32(), lanes + Vector512.Create(baseFeature + f)).StoreUnsafe(ref k, (nuint)count);
            for (int i = 0; i < Group; i++)
                Avx512F.Compress(Vector512<float>.Zero, any, rowsAt[i]).StoreUnsafe(ref v, (nuint)(i * room + count));
            count += BitOperations.PopCount(any.ExtractMostSignificantBits());
        }
        for (; f < length; f++)
        {
            bool keep = false;
            for (int i = 0; i < Group; i++)
                if (starts[i] >= 0 && x[(int)(starts[i] + f)] is var value && (rectified ? value > 0 : value != 0)) keep = true;
            if (!keep) continue;
            kept[count] = baseFeature + f;
            for (int i = 0; i < Group; i++)
            {
                float value = starts[i] >= 0 ? x[(int)(starts[i] + f)] : 0;
                values[i * room + count] = rectified ? (value > 0 ? value : 0) : value;
            }
            count++;
        }
        return count;
    }

    /// <summary><see cref="Append"/> with AVX2, which has no compress: each mask of eight features picks a permutation
    /// from a table that moves the kept lanes to the front, and whole vectors are stored (the lanes past the kept ones
    /// are overwritten by the next store or lie in the room past the union).</summary>
    private static int AppendEight(ReadOnlySpan<float> x, ReadOnlySpan<long> starts, int length, int baseFeature, bool rectified,
        Span<int> kept, Span<float> values, int room, int count)
    {
        ref float first = ref MemoryMarshal.GetReference(x);
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v = ref MemoryMarshal.GetReference(values);
        ref int table = ref MemoryMarshal.GetArrayDataReference(Packing);
        var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Span<Vector256<float>> rowsAt = stackalloc Vector256<float>[Group];
        int f = 0;
        for (; f + 8 <= length; f += 8)
        {
            var any = Vector256<float>.Zero;
            for (int i = 0; i < Group; i++)
            {
                var row = starts[i] >= 0 ? Vector256.LoadUnsafe(ref first, (nuint)(starts[i] + f)) : Vector256<float>.Zero;
                var nonzero = rectified ? Vector256.GreaterThan(row, Vector256<float>.Zero) : ~Vector256.Equals(row, Vector256<float>.Zero);
                rowsAt[i] = rectified ? row & nonzero : row;
                any |= nonzero;
            }
            uint mask = any.ExtractMostSignificantBits();
            if (mask == 0) continue;
            var order = Vector256.LoadUnsafe(ref table, mask * 8);
            Avx2.PermuteVar8x32(lanes + Vector256.Create(baseFeature + f), order).StoreUnsafe(ref k, (nuint)count);
            for (int i = 0; i < Group; i++)
                Avx2.PermuteVar8x32(rowsAt[i], order).StoreUnsafe(ref v, (nuint)(i * room + count));
            count += BitOperations.PopCount(mask);
        }
        for (; f < length; f++)
        {
            bool keep = false;
            for (int i = 0; i < Group; i++)
                if (starts[i] >= 0 && Unsafe.Add(ref first, (nint)(starts[i] + f)) is var value && (rectified ? value > 0 : value != 0)) keep = true;
            if (!keep) continue;
            kept[count] = baseFeature + f;
            for (int i = 0; i < Group; i++)
            {
                float value = starts[i] >= 0 ? Unsafe.Add(ref first, (nint)(starts[i] + f)) : 0;
                values[i * room + count] = rectified ? (value > 0 ? value : 0) : value;
            }
            count++;
        }
        return count;
    }

    /// <summary>For each mask of eight lanes, the lanes it keeps in order, then zeros: [256 x 8].</summary>
    private static readonly int[] Packing = BuildPacking();

    private static int[] BuildPacking()
    {
        var table = new int[256 * 8];
        for (int mask = 0; mask < 256; mask++)
        {
            int at = 0;
            for (int lane = 0; lane < 8; lane++)
                if ((mask >> lane & 1) != 0) table[mask * 8 + at++] = lane;
        }
        return table;
    }

    /// <summary>The four rows' sums over their union of <paramref name="count"/> features with panel
    /// <paramref name="panel"/>: row i's <see cref="Width"/> outputs at sums[64·i ..].</summary>
    public void Multiply(int panel, ReadOnlySpan<int> kept, ReadOnlySpan<float> values, int room, int count, Span<float> sums)
    {
        if (Width == 4 * Lanes) Four(panel, kept, values, room, count, sums);
        else if (Wide) One(panel, kept, values, room, count, sums);
        else OneEight(panel, kept, values, room, count, sums);
    }

    /// <summary>A 16-wide panel for the four rows with AVX2: two vectors per row, eight accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void OneEight(int panel, ReadOnlySpan<int> kept, ReadOnlySpan<float> values, int room, int count, Span<float> sums)
    {
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(panels), (nint)((long)panel * Features * Width));
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v0 = ref MemoryMarshal.GetReference(values);
        ref float v1 = ref Unsafe.Add(ref v0, room);
        ref float v2 = ref Unsafe.Add(ref v1, room);
        ref float v3 = ref Unsafe.Add(ref v2, room);
        ref float bias = ref paddedBias[panel * Width];
        var a0 = Vector256.LoadUnsafe(ref bias, 0); var a1 = Vector256.LoadUnsafe(ref bias, 8);
        var b0 = a0; var b1 = a1; var c0 = a0; var c1 = a1; var d0 = a0; var d1 = a1;
        for (int q = 0; q < count; q++)
        {
            nuint at = (nuint)(Unsafe.Add(ref k, q) * Lanes);
            var w0 = Vector256.LoadUnsafe(ref w, at); var w1 = Vector256.LoadUnsafe(ref w, at + 8);
            var x = Vector256.Create(Unsafe.Add(ref v0, q));
            a0 = Vector256.FusedMultiplyAdd(x, w0, a0); a1 = Vector256.FusedMultiplyAdd(x, w1, a1);
            x = Vector256.Create(Unsafe.Add(ref v1, q));
            b0 = Vector256.FusedMultiplyAdd(x, w0, b0); b1 = Vector256.FusedMultiplyAdd(x, w1, b1);
            x = Vector256.Create(Unsafe.Add(ref v2, q));
            c0 = Vector256.FusedMultiplyAdd(x, w0, c0); c1 = Vector256.FusedMultiplyAdd(x, w1, c1);
            x = Vector256.Create(Unsafe.Add(ref v3, q));
            d0 = Vector256.FusedMultiplyAdd(x, w0, d0); d1 = Vector256.FusedMultiplyAdd(x, w1, d1);
        }
        ref float o = ref sums[0];
        a0.StoreUnsafe(ref o, 0); a1.StoreUnsafe(ref o, 8); b0.StoreUnsafe(ref o, 64); b1.StoreUnsafe(ref o, 72);
        c0.StoreUnsafe(ref o, 128); c1.StoreUnsafe(ref o, 136); d0.StoreUnsafe(ref o, 192); d1.StoreUnsafe(ref o, 200);
    }

    /// <summary>A 64-wide panel for the four rows: 16 accumulators, each weight vector loaded once for the four.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four(int panel, ReadOnlySpan<int> kept, ReadOnlySpan<float> values, int room, int count, Span<float> sums)
    {
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(panels), (nint)((long)panel * Features * Width));
        ref float b = ref paddedBias[panel * Width];
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v0 = ref MemoryMarshal.GetReference(values);
        ref float v1 = ref Unsafe.Add(ref v0, room);
        ref float v2 = ref Unsafe.Add(ref v1, room);
        ref float v3 = ref Unsafe.Add(ref v2, room);
        var a0 = Vector512.LoadUnsafe(ref b, 0); var a1 = Vector512.LoadUnsafe(ref b, 16);
        var a2 = Vector512.LoadUnsafe(ref b, 32); var a3 = Vector512.LoadUnsafe(ref b, 48);
        var b0 = a0; var b1 = a1; var b2 = a2; var b3 = a3;
        var c0 = a0; var c1 = a1; var c2 = a2; var c3 = a3;
        var d0 = a0; var d1 = a1; var d2 = a2; var d3 = a3;
        for (int q = 0; q < count; q++)
        {
            nuint at = (nuint)(Unsafe.Add(ref k, q) * 4 * Lanes);
            var w0 = Vector512.LoadUnsafe(ref w, at); var w1 = Vector512.LoadUnsafe(ref w, at + 16);
            var w2 = Vector512.LoadUnsafe(ref w, at + 32); var w3 = Vector512.LoadUnsafe(ref w, at + 48);
            var x = Vector512.Create(Unsafe.Add(ref v0, q));
            a0 = Vector512.FusedMultiplyAdd(x, w0, a0); a1 = Vector512.FusedMultiplyAdd(x, w1, a1);
            a2 = Vector512.FusedMultiplyAdd(x, w2, a2); a3 = Vector512.FusedMultiplyAdd(x, w3, a3);
            x = Vector512.Create(Unsafe.Add(ref v1, q));
            b0 = Vector512.FusedMultiplyAdd(x, w0, b0); b1 = Vector512.FusedMultiplyAdd(x, w1, b1);
            b2 = Vector512.FusedMultiplyAdd(x, w2, b2); b3 = Vector512.FusedMultiplyAdd(x, w3, b3);
            x = Vector512.Create(Unsafe.Add(ref v2, q));
            c0 = Vector512.FusedMultiplyAdd(x, w0, c0); c1 = Vector512.FusedMultiplyAdd(x, w1, c1);
            c2 = Vector512.FusedMultiplyAdd(x, w2, c2); c3 = Vector512.FusedMultiplyAdd(x, w3, c3);
            x = Vector512.Create(Unsafe.Add(ref v3, q));
            d0 = Vector512.FusedMultiplyAdd(x, w0, d0); d1 = Vector512.FusedMultiplyAdd(x, w1, d1);
            d2 = Vector512.FusedMultiplyAdd(x, w2, d2); d3 = Vector512.FusedMultiplyAdd(x, w3, d3);
        }
        ref float o = ref sums[0];
        a0.StoreUnsafe(ref o, 0); a1.StoreUnsafe(ref o, 16); a2.StoreUnsafe(ref o, 32); a3.StoreUnsafe(ref o, 48);
        b0.StoreUnsafe(ref o, 64); b1.StoreUnsafe(ref o, 80); b2.StoreUnsafe(ref o, 96); b3.StoreUnsafe(ref o, 112);
        c0.StoreUnsafe(ref o, 128); c1.StoreUnsafe(ref o, 144); c2.StoreUnsafe(ref o, 160); c3.StoreUnsafe(ref o, 176);
        d0.StoreUnsafe(ref o, 192); d1.StoreUnsafe(ref o, 208); d2.StoreUnsafe(ref o, 224); d3.StoreUnsafe(ref o, 240);
    }

    /// <summary>A 16-wide panel for the four rows (a layer of at most 48 outputs, such as class scores).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void One(int panel, ReadOnlySpan<int> kept, ReadOnlySpan<float> values, int room, int count, Span<float> sums)
    {
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(panels), (nint)((long)panel * Features * Width));
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v0 = ref MemoryMarshal.GetReference(values);
        ref float v1 = ref Unsafe.Add(ref v0, room);
        ref float v2 = ref Unsafe.Add(ref v1, room);
        ref float v3 = ref Unsafe.Add(ref v2, room);
        var a = Vector512.LoadUnsafe(ref paddedBias[panel * Width]);
        var b = a; var c = a; var d = a;
        for (int q = 0; q < count; q++)
        {
            var w0 = Vector512.LoadUnsafe(ref w, (nuint)(Unsafe.Add(ref k, q) * Lanes));
            a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v0, q)), w0, a);
            b = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v1, q)), w0, b);
            c = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v2, q)), w0, c);
            d = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v3, q)), w0, d);
        }
        ref float o = ref sums[0];
        a.StoreUnsafe(ref o, 0); b.StoreUnsafe(ref o, 64); c.StoreUnsafe(ref o, 128); d.StoreUnsafe(ref o, 192);
    }
}
