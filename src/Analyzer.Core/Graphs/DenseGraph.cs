using Analyzer.Kernels.LinearAlgebra;
namespace Analyzer.Core.Graphs;

/// <summary>A weighted undirected graph as a dense symmetric n x n adjacency (row-major, zero diagonal).</summary>
public sealed class DenseGraph : WeightedGraph
{
    public DenseGraph(int n, double[] adjacency)
    {
        if (adjacency.Length != (long)n * n)
            throw new ArgumentException($"adjacency has {adjacency.Length} entries; expected {n} x {n}", nameof(adjacency));
        N = n;
        Adjacency = adjacency;
    }

    public override int N { get; }
    public double[] Adjacency { get; }
    public override long StoredEntries => (long)N * N;

    public double this[int i, int j] => Adjacency[(long)i * N + j];

    public override double[] Degrees()
    {
        var d = new double[N];
        for (int i = 0; i < N; i++)
        {
            double sum = 0;
            foreach (double v in Adjacency.AsSpan(i * N, N)) sum += v;
            d[i] = sum;
        }
        return d;
    }

    /// <summary>factor·S·A[nodes, nodes]·S + shift·I applied through the adjacency itself: no n x n copy, so that a
    /// graph as large as memory allows can be clustered.</summary>
    public override SymmetricOperator ScaledOperator(int[] nodes, double[] scale, double factor, double shift) =>
        new ScaledDenseOperator(this, nodes, scale, factor, shift);

    public override void AddLabelSums(int[] labels, double[] volume, double[] within)
    {
        var columnLabels = labels.Select(l => (double)l).ToArray();
        for (int i = 0; i < N; i++)
        {
            int li = labels[i];
            if (li < 0) continue;
            var (labelled, own) = LabelledRowSums.Compute(Adjacency.AsSpan(i * N, N), columnLabels, li);
            volume[li] += labelled;
            within[li] += own;
        }
    }

    public override WeightedGraph Subgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null) => DenseSubgraph(nodes, keep);

    /// <summary>The dense subgraph on <paramref name="nodes"/> (in the given order).</summary>
    public DenseGraph DenseSubgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null)
    {
        int m = nodes.Count;
        var a = new double[(long)m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                if (keep is null || keep(i, j))
                    a[(long)i * m + j] = Adjacency[(long)nodes[i] * N + nodes[j]];
        return new DenseGraph(m, a);
    }

    public override bool HasEdges(int aStart, int aCount, int bStart, int bCount)
    {
        for (int i = aStart; i < aStart + aCount; i++)
            foreach (double v in Adjacency.AsSpan(i * N + bStart, bCount))
                if (v != 0) return true;
        return false;
    }

    public override double[] ToDense() => Adjacency;

    public override (long[] RowPointers, int[] Columns, double[] Values) ToCsr()
    {
        var pointers = new long[N + 1];
        for (int i = 0; i < N; i++)
            pointers[i + 1] = pointers[i] + N - Adjacency.AsSpan(i * N, N).Count(0.0);
        var columns = new int[pointers[N]];
        var values = new double[pointers[N]];
        long k = 0;
        for (int i = 0; i < N; i++)
        {
            var row = Adjacency.AsSpan(i * N, N);
            for (int j = 0; j < N; j++)
                if (row[j] != 0) { columns[k] = j; values[k++] = row[j]; }
        }
        return (pointers, columns, values);
    }
}
