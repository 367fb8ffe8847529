using System.Numerics;
using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Graphs;

/// <summary>
/// A weighted undirected graph stored as dense blocks between disjoint node ranges: block b holds
/// A[RowStart + r, ColStart + c] = Values[r·Cols + c] and, by symmetry, the transposed entries; blocks add up where
/// they overlap. Weight graphs join each node set only to the sets its layer reaches (docs/design.md, graphs), so this
/// holds a DenseNet or a vision transformer in a fraction of the n² a dense matrix needs, and products with it cost
/// the same fraction.
/// </summary>
public sealed class BlockGraph : WeightedGraph
{
    /// <summary>One dense block [Rows x Cols] between node ranges that do not overlap.</summary>
    public sealed record Block(int RowStart, int Rows, int ColStart, int Cols, double[] Values);

    private readonly List<Block> blocks;

    public BlockGraph(int n, IEnumerable<Block> blocks)
    {
        N = n;
        this.blocks = blocks.ToList();
        foreach (var b in this.blocks)
        {
            if (b.Values.Length != (long)b.Rows * b.Cols)
                throw new ArgumentException($"block at ({b.RowStart}, {b.ColStart}) holds {b.Values.Length} values for {b.Rows} x {b.Cols}", nameof(blocks));
            if (b.RowStart < 0 || b.ColStart < 0 || b.RowStart + b.Rows > n || b.ColStart + b.Cols > n)
                throw new ArgumentException($"block at ({b.RowStart}, {b.ColStart}) of {b.Rows} x {b.Cols} lies outside {n} nodes", nameof(blocks));
            if (b.RowStart < b.ColStart + b.Cols && b.ColStart < b.RowStart + b.Rows)
                throw new ArgumentException($"block at ({b.RowStart}, {b.ColStart}) of {b.Rows} x {b.Cols} overlaps the diagonal", nameof(blocks));
        }
    }

    public override int N { get; }
    public IReadOnlyList<Block> Blocks => blocks;

    /// <summary>Weight graphs of at least this many nodes build a basis of 8 blocks between restarts instead of 4.</summary>
    public const int LargeGraph = 10_000;

    /// <summary>
    /// 8 blocks from <see cref="LargeGraph"/> nodes (docs/design.md, large graphs). A restart keeps only p vectors; a
    /// large weight graph has many weakly joined parts, its wanted eigenvalues crowd together and the discarded
    /// directions must be found again: ConvNeXt-T's graph needed 36 cycles of 4 blocks (144 products) and 7 of 8 (56),
    /// ViT-B/16's 77 and 16. On the 4000-node VGG-16 and ResNet-18 graphs 8 blocks save products but lose as much in
    /// Rayleigh-Ritz; a 40 000-unit correlation graph (dense, <see cref="TiledGraph"/>) converges in few cycles and
    /// was 14 % slower with 8.
    /// </summary>
    public override int EigenBasisBlocks => N >= LargeGraph ? 8 : 4;
    public override long StoredEntries => 2 * blocks.Sum(b => (long)b.Rows * b.Cols);

    public override double[] Degrees()
    {
        var d = new double[N];
        foreach (var b in blocks)
            for (int r = 0; r < b.Rows; r++)
            {
                var row = b.Values.AsSpan(r * b.Cols, b.Cols);
                double sum = 0;
                for (int c = 0; c < b.Cols; c++)
                {
                    sum += row[c];
                    d[b.ColStart + c] += row[c];
                }
                d[b.RowStart + r] += sum;
            }
        return d;
    }

    public override double[] ToDense()
    {
        var a = new double[(long)N * N];
        foreach (var b in blocks)
            for (int r = 0; r < b.Rows; r++)
                for (int c = 0; c < b.Cols; c++)
                {
                    double v = b.Values[r * b.Cols + c];
                    a[(long)(b.RowStart + r) * N + b.ColStart + c] += v;
                    a[(long)(b.ColStart + c) * N + b.RowStart + r] += v;
                }
        return a;
    }

    public override (long[] RowPointers, int[] Columns, double[] Values) ToCsr()
    {
        // Two passes over the blocks into flat arrays (12 bytes an entry, no per-row lists): count each row's
        // non-zeros, then place them; blocks may overlap, so each row is then sorted and its duplicates summed.
        var counts = new long[N + 1];
        ForEachNonZero((row, column, _) => { counts[row + 1]++; counts[column + 1]++; });
        for (int i = 0; i < N; i++) counts[i + 1] += counts[i];
        long total = counts[N];
        var columns = new int[total];
        var values = new double[total];
        var next = counts[..N];
        ForEachNonZero((row, column, v) =>
        {
            columns[next[row]] = column; values[next[row]++] = v;
            columns[next[column]] = row; values[next[column]++] = v;
        });
        var pointers = new long[N + 1];
        long write = 0;
        for (int i = 0; i < N; i++)
        {
            long start = counts[i], end = counts[i + 1];
            if (end - start > 1) Array.Sort(columns, values, (int)start, (int)(end - start));
            for (long k = start; k < end; k++)
            {
                if (k > start && columns[k] == columns[write - 1]) { values[write - 1] += values[k]; continue; }
                columns[write] = columns[k];
                values[write++] = values[k];
            }
            pointers[i + 1] = write;
        }
        if (write == total) return (pointers, columns, values);
        return (pointers, columns[..(int)write], values[..(int)write]);
    }

    /// <summary>Calls visit(row, column, value) for every non-zero entry of every block, in block order.</summary>
    private void ForEachNonZero(Action<int, int, double> visit)
    {
        foreach (var b in blocks)
            for (int r = 0; r < b.Rows; r++)
                for (int c = 0; c < b.Cols; c++)
                {
                    double v = b.Values[r * b.Cols + c];
                    if (v != 0) visit(b.RowStart + r, b.ColStart + c, v);
                }
    }

    public override void AddLabelSums(int[] labels, double[] volume, double[] within) => AddLabelSums([labels], [volume], [within]);

    /// <summary>Several labellings read each block row together, in groups of <see cref="LabellingGroup"/> run in
    /// parallel: the row stays in cache while every labelling of the group sums it, where reading the graph once per
    /// labelling made the 100 cuts of ViT-B/16's restarts bound by memory. Where a group's labellings label the same
    /// nodes (the restarts of one clustering), the sums that depend only on which nodes are labelled (a row's labelled
    /// sum, the column sums) are taken once for the group. Each labelling's sums are added in the same order as alone.</summary>
    public override void AddLabelSums(IReadOnlyList<int[]> labelings, double[][] volumes, double[][] withins)
    {
        int groups = (labelings.Count + LabellingGroup - 1) / LabellingGroup;
        Parallel.For(0, groups, Kernels.Parallelism.Options(), group =>
        {
            var members = Enumerable.Range(group * LabellingGroup, Math.Min(LabellingGroup, labelings.Count - group * LabellingGroup)).ToArray();
            var first = labelings[members[0]];
            bool sameNodes = members.All(l => labelings[l].Select((label, i) => label >= 0 == first[i] >= 0).All(same => same));
            foreach (var b in blocks)
            {
                // Each entry is an edge in both directions: the row's side is summed per row, the column's side per
                // column over the labelled rows.
                var columnLabels = members.Select(l =>
                {
                    var labels = new double[b.Cols];
                    for (int c = 0; c < b.Cols; c++) labels[c] = labelings[l][b.ColStart + c];
                    return labels;
                }).ToArray();
                var columnSums = (sameNodes ? [new double[b.Cols]] : members.Select(_ => new double[b.Cols])).ToArray();
                for (int r = 0; r < b.Rows; r++)
                {
                    var row = b.Values.AsSpan(r * b.Cols, b.Cols);
                    double shared = 0;
                    if (sameNodes)
                    {
                        if (first[b.RowStart + r] < 0) continue;
                        shared = LabelledRowSums.Labelled(row, columnLabels[0]);
                        System.Numerics.Tensors.TensorPrimitives.Add(columnSums[0], row, columnSums[0]);
                    }
                    for (int g = 0; g < members.Length; g++)
                    {
                        int l = members[g], lr = labelings[l][b.RowStart + r];
                        if (lr < 0) continue;
                        volumes[l][lr] += sameNodes ? shared : LabelledRowSums.Labelled(row, columnLabels[g]);
                        withins[l][lr] += 2 * LabelledRowSums.Within(row, columnLabels[g], lr);
                        if (!sameNodes) System.Numerics.Tensors.TensorPrimitives.Add(columnSums[g], row, columnSums[g]);
                    }
                }
                for (int g = 0; g < members.Length; g++)
                {
                    var sums = columnSums[sameNodes ? 0 : g];
                    for (int c = 0; c < b.Cols; c++)
                        if (columnLabels[g][c] >= 0) volumes[members[g]][(int)columnLabels[g][c]] += sums[c];
                }
            }
        });
    }

    /// <summary>Labellings that read the blocks together.</summary>
    private const int LabellingGroup = 25;

    public override bool HasEdges(int aStart, int aCount, int bStart, int bCount)
    {
        foreach (var b in blocks)
            if (HasIn(b, aStart, aCount, bStart, bCount) || HasIn(b, bStart, bCount, aStart, aCount))
                return true;
        return false;
    }

    /// <summary>Whether block b holds a non-zero entry in rows [rowStart, +rowCount) and columns [colStart, +colCount).</summary>
    private static bool HasIn(Block b, int rowStart, int rowCount, int colStart, int colCount)
    {
        int r0 = Math.Max(b.RowStart, rowStart), r1 = Math.Min(b.RowStart + b.Rows, rowStart + rowCount);
        int c0 = Math.Max(b.ColStart, colStart), c1 = Math.Min(b.ColStart + b.Cols, colStart + colCount);
        if (r0 >= r1 || c0 >= c1) return false;
        for (int r = r0; r < r1; r++)
            if (b.Values.AsSpan((r - b.RowStart) * b.Cols + c0 - b.ColStart, c1 - c0).IndexOfAnyExcept(0.0) >= 0)
                return true;
        return false;
    }

    public override WeightedGraph Subgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null)
    {
        var position = new int[N];
        Array.Fill(position, -1);
        for (int i = 0; i < nodes.Count; i++) position[nodes[i]] = i;
        var result = new List<Block>();
        foreach (var b in blocks)
            foreach (var (rowOld, rowNew, rowCount) in Runs(position, b.RowStart, b.Rows))
                foreach (var (colOld, colNew, colCount) in Runs(position, b.ColStart, b.Cols))
                {
                    var values = new double[rowCount * colCount];
                    bool any = false;
                    for (int r = 0; r < rowCount; r++)
                        for (int c = 0; c < colCount; c++)
                        {
                            if (keep is not null && !keep(rowNew + r, colNew + c)) continue;
                            double v = b.Values[(rowOld - b.RowStart + r) * b.Cols + colOld - b.ColStart + c];
                            values[r * colCount + c] = v;
                            any |= v != 0;
                        }
                    if (any) result.Add(new Block(rowNew, rowCount, colNew, colCount, values));
                }
        return new BlockGraph(nodes.Count, result);
    }

    /// <summary>Maximal runs of [start, start + count) whose kept nodes have consecutive new positions:
    /// (first old index, first new position, length).</summary>
    private static IEnumerable<(int Old, int New, int Count)> Runs(int[] position, int start, int count)
    {
        int i = start, end = start + count;
        while (i < end)
        {
            if (position[i] < 0) { i++; continue; }
            int j = i + 1;
            while (j < end && position[j] == position[j - 1] + 1) j++;
            yield return (i, position[i], j - i);
            i = j;
        }
    }

    public override SymmetricOperator ScaledOperator(int[] nodes, double[] scale, double factor, double shift)
    {
        // Every node kept in order (no invalid nodes): the blocks need no restriction.
        bool identity = nodes.Length == N && nodes.Select((v, i) => v == i).All(b => b);
        var sub = identity ? this : (BlockGraph)Subgraph(nodes);
        return new BlockOperator(nodes.Length, sub.blocks, scale, factor, shift, offersSingle: nodes.Length >= LargeGraph && SingleProduct.Vectorised);
    }

    /// <summary>M = factor·S·(Σ_b (B + Bᵀ))·S + shift·I, applied block by block with the dense product kernel and S applied
    /// to the vectors, not to the blocks: the operator holds no float64 copy of the graph (ViT-B/16's blocks are 0.8 GB).
    /// Float32 products use a float32 copy of the blocks, made at the first (half the float64 size).</summary>
    private sealed class BlockOperator(int n, List<Block> blocks, double[] scale, double factor, double shift, bool offersSingle)
        : SymmetricOperator
    {
        private readonly Buffers<double> doubles = new();
        private readonly Buffers<float> singles = new();
        private readonly double[][] doubleBlocks = blocks.Select(b => b.Values).ToArray();
        private double[] sum = [];
        private float[][]? singleBlocks;

        public override int N => n;

        public override bool OffersSinglePrecision => offersSingle;

        public override void Apply(double[] x, int cols, double[] y) =>
            Apply(x, cols, y, doubleBlocks, doubles, DenseProduct.MultiplyBothWays);

        public override void ApplySingle(double[] x, int cols, double[] y)
        {
            if (!offersSingle) base.ApplySingle(x, cols, y);
            singleBlocks ??= doubleBlocks.Select(values => Array.ConvertAll(values, v => (float)v)).ToArray();
            Apply(x, cols, y, singleBlocks, singles, SingleProduct.MultiplyBothWays);
        }

        /// <summary>The vectors, scaled, in T; each block's B·X and Bᵀ·X (B read once for both) summed in float64.</summary>
        private void Apply<T>(double[] x, int cols, double[] y, T[][] values, Buffers<T> buffers, BothWays<T> product)
            where T : unmanaged, INumberBase<T>
        {
            long length = (long)n * cols;
            Ensure(ref buffers.Scaled, length);
            Ensure(ref sum, length);
            var scaled = buffers.Scaled;
            for (int r = 0; r < n; r++)
                for (int c = 0; c < cols; c++) scaled[(long)r * cols + c] = T.CreateTruncating(scale[r] * x[(long)r * cols + c]);
            Array.Clear(sum, 0, (int)length);
            for (int i = 0; i < blocks.Count; i++)
            {
                var b = blocks[i];
                Ensure(ref buffers.FromCols, (long)b.Cols * cols);
                Ensure(ref buffers.ToCols, (long)b.Cols * cols);
                Ensure(ref buffers.FromRows, (long)b.Rows * cols);
                Ensure(ref buffers.ToRows, (long)b.Rows * cols);
                Array.Copy(scaled, (long)b.ColStart * cols, buffers.FromCols, 0, (long)b.Cols * cols);
                Array.Copy(scaled, (long)b.RowStart * cols, buffers.FromRows, 0, (long)b.Rows * cols);
                product(values[i], b.Cols, b.Rows, b.Cols, buffers.FromCols, buffers.FromRows, buffers.ToRows, buffers.ToCols, cols, -1);
                AddTo(sum, (long)b.RowStart * cols, buffers.ToRows, b.Rows * cols);
                AddTo(sum, (long)b.ColStart * cols, buffers.ToCols, b.Cols * cols);
            }
            for (int r = 0; r < n; r++)
                for (int c = 0; c < cols; c++)
                {
                    long at = (long)r * cols + c;
                    y[at] = factor * scale[r] * sum[at] + shift * x[at];
                }
        }

        private delegate void BothWays<T>(T[] b, int ldb, int rows, int cols, T[] x, T[] w, T[] y, T[] z, int vecs, int maxThreads);

        /// <summary>Work arrays of one precision, grown as needed and kept between products.</summary>
        private sealed class Buffers<T>
        {
            public T[] Scaled = [], FromCols = [], FromRows = [], ToRows = [], ToCols = [];
        }

        private static void AddTo<T>(double[] target, long offset, T[] values, int count) where T : unmanaged, INumberBase<T>
        {
            var into = target.AsSpan((int)offset, count);
            var from = values.AsSpan(0, count);
            for (int i = 0; i < count; i++) into[i] += double.CreateTruncating(from[i]);
        }

        private static void Ensure<T>(ref T[] buffer, long length)
        {
            if (buffer.Length < length) buffer = new T[length];
        }

        public override double[] ToDense()
        {
            var a = new BlockGraph(n, blocks).ToDense();
            for (int r = 0; r < n; r++)
            {
                for (int c = 0; c < n; c++) a[(long)r * n + c] *= factor * scale[r] * scale[c];
                a[(long)r * n + r] += shift;
            }
            return a;
        }
    }
}
