using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Graphs;

/// <summary>
/// A dense weighted graph stored as the float32 tiles of its upper triangle (<see cref="TileSize"/> nodes a side), in
/// memory or, beyond the memory budget, in a temporary file (<see cref="TileStore"/>): how activation graphs of any
/// size are held (docs/design.md, activation graphs). Every operation streams the tiles, reading A[J, I] as the
/// transpose of the stored A[I, J], and sums each node's row in the same order whatever the thread count.
/// </summary>
public sealed class TiledGraph : WeightedGraph, IDisposable
{
    public const int TileSize = 256;
    private const int T = TileSize;
    private readonly TileStore store;
    private readonly int sides;

    /// <summary>Fills tile[r·cols + c] with A[rowStart + r, colStart + c] (rowStart ≤ colStart; the diagonal is 0).</summary>
    public delegate void TileFill(int rowStart, int rows, int colStart, int cols, double[] tile);

    private TiledGraph(int n, TileStore store)
    {
        N = n;
        this.store = store;
        sides = Sides(n);
    }

    public override int N { get; }
    public override long StoredEntries => (long)N * N;

    /// <summary>Whether the tiles are in a file, the graph being larger than the memory it was given.</summary>
    public bool OnDisk => store.OnDisk;

    /// <summary>Bytes the tiles take (4 per entry of the upper triangle, tiles padded to full size).</summary>
    public static long TileBytes(long n)
    {
        long sides = (n + T - 1) / T;
        return 4L * T * T * (sides * (sides + 1) / 2);
    }

    /// <summary>Whether a graph of <paramref name="n"/> nodes keeps its tiles in memory within <paramref name="memoryBytes"/>
    /// (else in a file).</summary>
    public static bool TilesInMemory(long n, long memoryBytes) => TileBytes(n) <= memoryBytes;

    private static int Sides(int n) => (n + T - 1) / T;

    /// <summary>Tiles of the upper triangle a graph of <paramref name="n"/> nodes is computed in.</summary>
    public static int Tiles(int n) => Sides(n) * (Sides(n) + 1) / 2;

    /// <summary>Computes every tile of the upper triangle with <paramref name="fill"/>, tiles in parallel, into memory
    /// when they take at most <paramref name="memoryBytes"/>, else into a file under <paramref name="folder"/> (the
    /// system's temporary folder by default).</summary>
    public static TiledGraph Compute(int n, long memoryBytes, TileFill fill, Action<int>? tilesDone = null, string? folder = null)
    {
        int sides = Sides(n), count = sides * (sides + 1) / 2;
        var store = TilesInMemory(n, memoryBytes) ? TileStore.InMemory(count, T * T) : TileStore.InFile(count, T * T, folder ?? Path.GetTempPath());
        var graph = new TiledGraph(n, store);
        try
        {
            Parallel.For(0, count, Kernels.Parallelism.Options(), () => (Values: new double[T * T], Tile: new float[T * T]), (index, _, b) =>
            {
                var (i, j) = graph.Position(index);
                int rows = graph.Extent(i), cols = graph.Extent(j);
                fill(i * T, rows, j * T, cols, b.Values);
                Array.Clear(b.Tile);
                for (int r = 0; r < rows; r++)
                    for (int c = 0; c < cols; c++) b.Tile[r * T + c] = (float)b.Values[r * cols + c];
                store.Write(index, b.Tile);
                tilesDone?.Invoke(1);
                return b;
            }, _ => { });
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return graph;
    }

    /// <summary>The graph of a dense adjacency (tests, and small graphs built another way).</summary>
    public static TiledGraph Of(int n, double[] adjacency, long memoryBytes = long.MaxValue) =>
        Compute(n, memoryBytes, (rowStart, rows, colStart, cols, tile) =>
        {
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) tile[r * cols + c] = adjacency[(long)(rowStart + r) * n + colStart + c];
        });

    /// <summary>How many nodes tile row (or column) <paramref name="i"/> holds: T, or fewer in the last.</summary>
    private int Extent(int i) => Math.Min(T, N - i * T);

    private (int I, int J) Position(int index)
    {
        int i = 0;
        while (index >= sides - i)
        {
            index -= sides - i;
            i++;
        }
        return (i, i + index);
    }

    private int Index(int i, int j) => i * sides - i * (i - 1) / 2 + (j - i);

    /// <summary>A[I, J] as a padded T x T tile of doubles, transposing the stored A[J, I] below the diagonal.</summary>
    private void Read(int i, int j, float[] scratch, double[] tile)
    {
        if (i <= j)
        {
            store.Read(Index(i, j), scratch);
            for (int k = 0; k < T * T; k++) tile[k] = scratch[k];
            return;
        }
        store.Read(Index(j, i), scratch);
        for (int r = 0; r < T; r++)
            for (int c = 0; c < T; c++) tile[r * T + c] = scratch[c * T + r];
    }

    private static (float[] Scratch, double[] Tile) Buffers() => (new float[T * T], new double[T * T]);

    public override double[] Degrees()
    {
        var d = new double[N];
        Parallel.For(0, sides, Kernels.Parallelism.Options(), Buffers, (i, _, b) =>
        {
            var sums = new double[T];
            for (int j = 0; j < sides; j++)
            {
                Read(i, j, b.Scratch, b.Tile);
                for (int r = 0; r < T; r++)
                {
                    double sum = sums[r];
                    foreach (double v in b.Tile.AsSpan(r * T, T)) sum += v;
                    sums[r] = sum;
                }
            }
            Array.Copy(sums, 0, d, i * T, Extent(i));
            return b;
        }, _ => { });
        return d;
    }

    /// <summary>Rows [start, start + count) of the dense adjacency into <paramref name="destination"/> [count x N]:
    /// how a graph too large to hold is written out a band at a time.</summary>
    public void CopyRows(int start, int count, double[] destination)
    {
        var (scratch, tile) = Buffers();
        for (int i = start / T; i * T < start + count; i++)
            for (int j = 0; j < sides; j++)
            {
                Read(i, j, scratch, tile);
                for (int r = Math.Max(start, i * T); r < Math.Min(start + count, i * T + Extent(i)); r++)
                    Array.Copy(tile, (r - i * T) * T, destination, (long)(r - start) * N + j * T, Extent(j));
            }
    }

    public override SymmetricOperator ScaledOperator(int[] nodes, double[] scale, double factor, double shift) =>
        new TiledOperator(this, nodes, scale, factor, shift);

    public override void AddLabelSums(int[] labels, double[] volume, double[] within) =>
        AddLabelSums([labels], [volume], [within]);

    /// <summary>One pass over the tiles for every labelling: each tile row sums its rows per labelling, and the rows'
    /// sums are added per label in row order, then the tile rows' in order, whatever the thread count.</summary>
    public override void AddLabelSums(IReadOnlyList<int[]> labelings, double[][] volumes, double[][] withins)
    {
        int count = labelings.Count;
        // Column labels per labelling and tile (padding -1).
        var columnLabels = labelings.Select(labels => Enumerable.Range(0, sides).Select(j =>
        {
            var tileLabels = Enumerable.Repeat(-1.0, T).ToArray();
            for (int c = 0; c < Extent(j); c++) tileLabels[c] = labels[j * T + c];
            return tileLabels;
        }).ToArray()).ToArray();
        var partial = new (double[] Volume, double[] Within)[sides, count];
        Parallel.For(0, sides, Kernels.Parallelism.Options(), Buffers, (i, _, b) =>
        {
            var rowVolume = new double[count, T];
            var rowWithin = new double[count, T];
            for (int j = 0; j < sides; j++)
            {
                Read(i, j, b.Scratch, b.Tile);
                for (int l = 0; l < count; l++)
                    for (int r = 0; r < Extent(i); r++)
                    {
                        int label = labelings[l][i * T + r];
                        if (label < 0) continue;
                        var (labelled, own) = LabelledRowSums.Compute(b.Tile.AsSpan(r * T, T), columnLabels[l][j], label);
                        rowVolume[l, r] += labelled;
                        rowWithin[l, r] += own;
                    }
            }
            for (int l = 0; l < count; l++)
            {
                var (volume, within) = (new double[volumes[l].Length], new double[withins[l].Length]);
                for (int r = 0; r < Extent(i); r++)
                {
                    int label = labelings[l][i * T + r];
                    if (label < 0) continue;
                    volume[label] += rowVolume[l, r];
                    within[label] += rowWithin[l, r];
                }
                partial[i, l] = (volume, within);
            }
            return b;
        }, _ => { });
        for (int i = 0; i < sides; i++)
            for (int l = 0; l < count; l++)
            {
                var (volume, within) = partial[i, l];
                for (int c = 0; c < volume.Length; c++)
                {
                    volumes[l][c] += volume[c];
                    withins[l][c] += within[c];
                }
            }
    }

    /// <summary>One pass over the tiles in order (no n² copy; the sums are the same whatever the thread count).</summary>
    public override double[] GroupSums(int[] group, int groups)
    {
        var sums = new double[(long)groups * groups];
        var (scratch, tile) = Buffers();
        for (int i = 0; i < sides; i++)
            for (int j = 0; j < sides; j++)
            {
                Read(i, j, scratch, tile);
                for (int r = 0; r < Extent(i); r++)
                {
                    int a = group[i * T + r];
                    if (a < 0) continue;
                    for (int c = 0; c < Extent(j); c++)
                        if (group[j * T + c] is var b and >= 0) sums[(long)a * groups + b] += tile[r * T + c];
                }
            }
        return sums;
    }

    public override WeightedGraph Subgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null) => DenseSubgraph(nodes, keep);

    /// <summary>The dense subgraph on <paramref name="nodes"/> (in the given order): a layer's graph, small enough to hold.</summary>
    public DenseGraph DenseSubgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null)
    {
        int m = nodes.Count;
        var a = new double[(long)m * m];
        var byTile = new List<(int Position, int Offset)>[sides];
        for (int p = 0; p < m; p++)
            (byTile[nodes[p] / T] ??= []).Add((p, nodes[p] % T));
        var occupied = Enumerable.Range(0, sides).Where(i => byTile[i] is not null).ToArray();
        Parallel.ForEach(occupied, Kernels.Parallelism.Options(), Buffers, (i, _, b) =>
        {
            foreach (int j in occupied)
            {
                Read(i, j, b.Scratch, b.Tile);
                foreach (var (p, row) in byTile[i])
                    foreach (var (q, column) in byTile[j])
                        if (keep is null || keep(p, q))
                            a[(long)p * m + q] = b.Tile[row * T + column];
            }
            return b;
        }, _ => { });
        return new DenseGraph(m, a);
    }

    public override bool HasEdges(int aStart, int aCount, int bStart, int bCount)
    {
        var (scratch, tile) = Buffers();
        for (int i = aStart / T; i * T < aStart + aCount; i++)
            for (int j = bStart / T; j * T < bStart + bCount; j++)
            {
                Read(i, j, scratch, tile);
                int r0 = Math.Max(aStart, i * T) - i * T, r1 = Math.Min(aStart + aCount, (i + 1) * T) - i * T;
                int c0 = Math.Max(bStart, j * T) - j * T, c1 = Math.Min(bStart + bCount, (j + 1) * T) - j * T;
                for (int r = r0; r < r1; r++)
                    if (tile.AsSpan(r * T + c0, c1 - c0).IndexOfAnyExcept(0.0) >= 0) return true;
            }
        return false;
    }

    public override double[] ToDense() => DenseSubgraph(Enumerable.Range(0, N).ToArray()).Adjacency;

    public override (long[] RowPointers, int[] Columns, double[] Values) ToCsr() => new DenseGraph(N, ToDense()).ToCsr();

    public void Dispose() => store.Dispose();

    /// <summary>Tile rows split into <paramref name="bands"/> runs holding about as many stored tiles each.</summary>
    private int[] BandStarts(int bands)
    {
        var starts = new List<int> { 0 };
        long total = (long)sides * (sides + 1) / 2, done = 0;
        for (int i = 0; i < sides && starts.Count < bands; i++)
        {
            done += sides - i;
            if (done * bands >= total * starts.Count && i + 1 < sides) starts.Add(i + 1);
        }
        starts.Add(sides);
        return [.. starts];
    }

    /// <summary>
    /// M = factor·S·A[nodes, nodes]·S + shift·I, each stored tile read once per product: tile (I, J) adds A[I, J]·x[J]
    /// to y[I] and A[I, J]ᵀ·x[I] to y[J]. The tile rows are split into a fixed number of bands, each with its own
    /// accumulator and run in parallel, and the bands' sums are added in order: one reading of the graph per product
    /// (what bounds a graph larger than the page cache), the same sums whatever the thread count.
    /// </summary>
    private sealed class TiledOperator(TiledGraph graph, int[] nodes, double[] scale, double factor, double shift) : SymmetricOperator
    {
        private const int Bands = 8;

        public override int N => nodes.Length;

        public override void Apply(double[] x, int cols, double[] y)
        {
            int sides = graph.sides, block = T * cols;
            var xs = new double[sides][];
            for (int r = 0; r < nodes.Length; r++)
            {
                int node = nodes[r];
                var part = xs[node / T] ??= new double[block];
                for (int c = 0; c < cols; c++) part[node % T * cols + c] = scale[r] * x[(long)r * cols + c];
            }
            var starts = graph.BandStarts(Bands);
            var sums = new double[starts.Length - 1][][];
            Parallel.For(0, starts.Length - 1, Kernels.Parallelism.Options(), band =>
            {
                var ys = sums[band] = new double[sides][];
                var scratch = new float[T * T];
                var tile = new double[T * T];
                var transposed = new double[T * T];
                var product = new double[block];
                for (int i = starts[band]; i < starts[band + 1]; i++)
                    for (int j = i; j < sides; j++)
                    {
                        if (xs[j] is null && xs[i] is null) continue; // no kept node on either side
                        graph.store.Read(graph.Index(i, j), scratch);
                        for (int r = 0; r < T; r++)
                            for (int c = 0; c < T; c++)
                                tile[r * T + c] = transposed[c * T + r] = scratch[r * T + c];
                        if (xs[j] is not null)
                            Add(tile, xs[j], ys[i] ??= new double[block]);
                        if (i != j && xs[i] is not null)
                            Add(transposed, xs[i], ys[j] ??= new double[block]);
                    }

                void Add(double[] a, double[] v, double[] target)
                {
                    DenseProduct.Multiply(a, T, v, cols, product, cols, T, T, cols, maxThreads: 1);
                    for (int k = 0; k < block; k++) target[k] += product[k];
                }
            });
            for (int r = 0; r < nodes.Length; r++)
            {
                int node = nodes[r];
                for (int c = 0; c < cols; c++)
                {
                    double sum = 0;
                    foreach (var ys in sums)
                        if (ys[node / T] is { } part) sum += part[node % T * cols + c];
                    long at = (long)r * cols + c;
                    y[at] = factor * scale[r] * sum + shift * x[at];
                }
            }
        }

        public override double[] ToDense()
        {
            int n = nodes.Length;
            var m = graph.DenseSubgraph(nodes).Adjacency;
            for (int r = 0; r < n; r++)
            {
                for (int c = 0; c < n; c++) m[(long)r * n + c] *= factor * scale[r] * scale[c];
                m[(long)r * n + r] += shift;
            }
            return m;
        }
    }
}
