using System.Buffers;

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
    private const int Group = SparsePanels.Group;
    private readonly float[] weights;
    private readonly float[] bias;
    private readonly SparsePanels panels;

    /// <param name="weights">W [features x outputs], finite.</param>
    /// <param name="bias">b [outputs].</param>
    public SparseInputLayer(float[] weights, float[] bias, int features, int outputs)
    {
        if (weights.LongLength != (long)features * outputs)
            throw new ArgumentException($"weights hold {weights.LongLength} values; {features} x {outputs} needed", nameof(weights));
        if (bias.Length != outputs) throw new ArgumentException($"bias holds {bias.Length} values; {outputs} needed", nameof(bias));
        if (!weights.All(float.IsFinite)) throw new ArgumentException("weights must be finite (0·w must be 0)", nameof(weights));
        (this.weights, this.bias, Features, Outputs) = (weights, bias, features, outputs);
        panels = new SparsePanels(weights, bias, features, outputs);
    }

    /// <summary>Whether this CPU runs the vector path (AVX-512, or AVX2 with FMA); without one the plain loops run, far
    /// slower than a dense product library, and callers should prefer one.</summary>
    public static bool Vectorised => SparsePanels.Supported;

    public int Features { get; }

    public int Outputs { get; }

    /// <summary>The bytes this layer holds (its weights twice: as given and in panels).</summary>
    public long Bytes => sizeof(float) * (weights.LongLength + bias.Length) + panels.Bytes;

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
        if (!SparsePanels.Supported || rows == 0)
        {
            SparseInputLayerReference.Apply(x, rows, Features, weights, bias, Outputs, rectified, into);
            return;
        }
        int blocks = rows / stride, perExample = (blocks + Group - 1) / Group, groups = stride * perExample;
        // Every group's union first (room for a whole vector stored past its last kept feature), then panel by panel over
        // all groups: one panel of W stays in the cache for all of them (a 4096 x 4096 layer's W would otherwise stream
        // from memory once per group).
        int room = Features + SparsePanels.Lanes;
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
        Span<long> starts = stackalloc long[Group];
        for (int e = 0; e < stride; e++)
            for (int j = 0; j < perExample; j++)
            {
                int g = e * perExample + j;
                for (int i = 0; i < Group; i++)
                {
                    members[g * Group + i] = j * Group + i < blocks ? (j * Group + i) * stride + e : -1;
                    starts[i] = members[g * Group + i] >= 0 ? (long)members[g * Group + i] * Features : -1;
                }
                unions[g] = SparsePanels.Append(x, starts, Features, 0, rectified, kept.AsSpan(g * room, room),
                    values.AsSpan(g * Group * room, Group * room), room, 0);
            }
        Span<float> sums = stackalloc float[Group * 4 * SparsePanels.Lanes];
        for (int p = 0; p < panels.Count; p++)
        {
            int from = p * panels.Width, outputs = Math.Min(panels.Width, Outputs - from);
            for (int g = 0; g < groups; g++)
            {
                panels.Multiply(p, kept.AsSpan(g * room, room), values.AsSpan(g * Group * room, Group * room), room, unions[g], sums);
                for (int i = 0; i < Group && members[g * Group + i] >= 0; i++)
                    sums.Slice(i * 4 * SparsePanels.Lanes, outputs).CopyTo(into.Slice(members[g * Group + i] * Outputs + from, outputs));
            }
        }
    }
}
