using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Analyzer.Kernels.LinearAlgebra;

/// <summary>
/// A dense layer applied to sparse inputs: Y = b + φ(X)·W for rows of X [rows x features] and W [features x outputs]
/// (row-major), where φ is the identity, or max(·, 0) when the input is rectified (a ReLU between two dense layers).
/// Only nonzero features are multiplied: a trained ReLU network's hidden units are mostly zero (a quarter active in
/// the Fashion-MNIST MLP), so the layers after a lesion take about that share of a dense product's multiply-adds.
/// Rows come in blocks of <c>stride</c> rows, row e of every block being the same example under another lesion, so
/// their nonzero features nearly agree: four such rows go through W together over the union of their nonzero
/// features, each weight loaded once for all four. A feature zero in one of the four adds 0·w, which leaves its sum as
/// it was, so every entry is the chain of fused multiply-adds from b over its row's nonzero features in order, and the
/// AVX-512 path and the plain loops (<see cref="SparseInputLayerReference"/>) give the same values (weights are finite).
/// </summary>
public sealed class SparseInputLayer
{
    private const int Lanes = 16;
    private const int Group = 4;
    private readonly float[] weights;
    private readonly float[] bias;
    // W in panels of `width` outputs, each [features x width] contiguous, the last padded with zeros; the bias alike.
    private readonly float[] panels;
    private readonly float[] paddedBias;
    private readonly int width;
    private readonly int panelCount;

    /// <param name="weights">W [features x outputs], finite.</param>
    /// <param name="bias">b [outputs].</param>
    public SparseInputLayer(float[] weights, float[] bias, int features, int outputs)
    {
        if (weights.LongLength != (long)features * outputs)
            throw new ArgumentException($"weights hold {weights.LongLength} values; {features} x {outputs} needed", nameof(weights));
        if (bias.Length != outputs) throw new ArgumentException($"bias holds {bias.Length} values; {outputs} needed", nameof(bias));
        if (!weights.All(float.IsFinite)) throw new ArgumentException("weights must be finite (0·w must be 0)", nameof(weights));
        (this.weights, this.bias, Features, Outputs) = (weights, bias, features, outputs);
        width = outputs > 3 * Lanes ? 4 * Lanes : Lanes;
        panelCount = (outputs + width - 1) / width;
        panels = new float[(long)panelCount * features * width];
        paddedBias = new float[panelCount * width];
        for (int p = 0; p < panelCount; p++)
            for (int f = 0; f < features; f++)
            {
                int from = p * width, count = Math.Min(width, outputs - from);
                weights.AsSpan(f * outputs + from, count).CopyTo(panels.AsSpan((int)(((long)p * features + f) * width)));
            }
        bias.CopyTo(paddedBias, 0);
    }

    public int Features { get; }

    public int Outputs { get; }

    /// <summary>The bytes this layer holds (its weights twice: as given and in panels).</summary>
    public long Bytes => sizeof(float) * (weights.LongLength + panels.LongLength + bias.Length + paddedBias.Length);

    /// <param name="x">Inputs [rows x features].</param>
    /// <param name="rectified">Whether the inputs pass through max(·, 0) first.</param>
    /// <param name="into">Y [rows x outputs].</param>
    /// <param name="stride">Rows per block (rows a multiple of it): row e of each block is the same example; rows itself
    /// when no two rows are.</param>
    public void Apply(ReadOnlySpan<float> x, int rows, bool rectified, Span<float> into, int stride)
    {
        if (x.Length < (long)rows * Features) throw new ArgumentException($"x holds {x.Length} values; {rows} x {Features} needed", nameof(x));
        if (into.Length < (long)rows * Outputs) throw new ArgumentException($"into holds {into.Length} values; {rows} x {Outputs} needed", nameof(into));
        if (stride < 1 || rows % stride != 0) throw new ArgumentException($"{rows} rows are not blocks of {stride}", nameof(stride));
        if (!Vector512.IsHardwareAccelerated || !Avx512F.IsSupported || rows == 0)
        {
            SparseInputLayerReference.Apply(x, rows, Features, weights, bias, Outputs, rectified, into);
            return;
        }
        int blocks = rows / stride, perExample = (blocks + Group - 1) / Group, groups = stride * perExample;
        // Every group's union first (room for a whole vector stored past its last kept feature), then panel by panel over
        // all groups: one panel of W stays in the cache for all of them (a 4096 x 4096 layer's W would otherwise stream
        // from memory once per group).
        int room = Features + Lanes;
        var kept = ArrayPool<int>.Shared.Rent(groups * room);
        var values = ArrayPool<float>.Shared.Rent(groups * Group * room);
        var unions = ArrayPool<int>.Shared.Rent(groups);
        var members = ArrayPool<int>.Shared.Rent(groups * Group);
        try
        {
            Multiply(x, rectified, into, stride, blocks, perExample, room, kept, values, unions, members);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(kept);
            ArrayPool<float>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(unions);
            ArrayPool<int>.Shared.Return(members);
        }
    }

    /// <summary>The AVX-512 path: the groups' unions, then the panels over all groups (the scratch arrays from the pool).</summary>
    private void Multiply(ReadOnlySpan<float> x, bool rectified, Span<float> into, int stride, int blocks, int perExample, int room,
        int[] kept, float[] values, int[] unions, int[] members)
    {
        int groups = stride * perExample;
        for (int e = 0; e < stride; e++)
            for (int j = 0; j < perExample; j++)
            {
                int g = e * perExample + j;
                for (int i = 0; i < Group; i++)
                    members[g * Group + i] = j * Group + i < blocks ? (j * Group + i) * stride + e : -1;
                unions[g] = Union(x, members.AsSpan(g * Group, Group), rectified, kept.AsSpan(g * room, room),
                    values.AsSpan(g * Group * room, Group * room), room);
            }
        Span<float> sums = stackalloc float[Group * 4 * Lanes];
        for (int p = 0; p < panelCount; p++)
        {
            int from = p * width, outputs = Math.Min(width, Outputs - from);
            long offset = (long)p * Features * width;
            for (int g = 0; g < groups; g++)
            {
                if (width == 4 * Lanes) Four(offset, from, kept, values, g, room, unions[g], sums);
                else One(offset, from, kept, values, g, room, unions[g], sums);
                for (int i = 0; i < Group && members[g * Group + i] >= 0; i++)
                    sums.Slice(i * 4 * Lanes, outputs).CopyTo(into.Slice(members[g * Group + i] * Outputs + from, outputs));
            }
        }
    }

    /// <summary>The features nonzero in any of the member rows (-1: none) in order, and each member's value there (φ
    /// applied; 0 where it is zero) at values[i·room + q]; returns their count.</summary>
    private int Union(ReadOnlySpan<float> x, ReadOnlySpan<int> members, bool rectified, Span<int> kept, Span<float> values, int room)
    {
        int count = 0, f = 0;
        ref float first = ref MemoryMarshal.GetReference(x);
        ref int k = ref MemoryMarshal.GetReference(kept);
        ref float v = ref MemoryMarshal.GetReference(values);
        var lanes = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Span<Vector512<float>> rowsAt = stackalloc Vector512<float>[Group];
        for (; f + Lanes <= Features; f += Lanes)
        {
            var any = Vector512<float>.Zero;
            for (int i = 0; i < Group; i++)
            {
                var row = members[i] >= 0 ? Vector512.LoadUnsafe(ref first, (nuint)((long)members[i] * Features + f)) : Vector512<float>.Zero;
                var nonzero = rectified ? Vector512.GreaterThan(row, Vector512<float>.Zero) : ~Vector512.Equals(row, Vector512<float>.Zero);
                rowsAt[i] = rectified ? row & nonzero : row;
                any |= nonzero;
            }
            if (any == Vector512<float>.Zero) continue;
            Avx512F.Compress(Vector512<int>.Zero, any.AsInt32(), lanes + Vector512.Create(f)).StoreUnsafe(ref k, (nuint)count);
            for (int i = 0; i < Group; i++)
                Avx512F.Compress(Vector512<float>.Zero, any, rowsAt[i]).StoreUnsafe(ref v, (nuint)(i * room + count));
            count += BitOperations.PopCount(any.ExtractMostSignificantBits());
        }
        for (; f < Features; f++)
        {
            bool keep = false;
            for (int i = 0; i < Group; i++)
                if (members[i] >= 0 && x[members[i] * Features + f] is var value && (rectified ? value > 0 : value != 0)) keep = true;
            if (!keep) continue;
            kept[count] = f;
            for (int i = 0; i < Group; i++)
            {
                float value = members[i] >= 0 ? x[members[i] * Features + f] : 0;
                values[i * room + count] = rectified ? (value > 0 ? value : 0) : value;
            }
            count++;
        }
        return count;
    }

    /// <summary>A 64-wide panel for the four rows: 16 accumulators, each weight vector loaded once for the four; their
    /// sums into sums[64·i ..].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Four(long offset, int from, int[] kept, float[] values, int group, int room, int count, Span<float> sums)
    {
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(panels), (nint)offset);
        ref float b = ref paddedBias[from];
        ref int k = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(kept), (nint)group * room);
        ref float v0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), (nint)group * Group * room);
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
    private void One(long offset, int from, int[] kept, float[] values, int group, int room, int count, Span<float> sums)
    {
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(panels), (nint)offset);
        ref int k = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(kept), (nint)group * room);
        ref float v0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(values), (nint)group * Group * room);
        ref float v1 = ref Unsafe.Add(ref v0, room);
        ref float v2 = ref Unsafe.Add(ref v1, room);
        ref float v3 = ref Unsafe.Add(ref v2, room);
        var a = Vector512.LoadUnsafe(ref paddedBias[from]);
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
