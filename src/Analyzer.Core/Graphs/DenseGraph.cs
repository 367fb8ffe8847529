namespace Analyzer.Core.Graphs;

/// <summary>A weighted undirected graph as a dense symmetric n x n adjacency (row-major, zero diagonal).</summary>
public sealed class DenseGraph
{
    public DenseGraph(int n, double[] adjacency)
    {
        if (adjacency.Length != (long)n * n)
            throw new ArgumentException($"adjacency has {adjacency.Length} entries; expected {n} x {n}", nameof(adjacency));
        N = n;
        Adjacency = adjacency;
    }

    public int N { get; }
    public double[] Adjacency { get; }

    public double this[int i, int j] => Adjacency[(long)i * N + j];

    /// <summary>Weighted degree of every node (row sums).</summary>
    public double[] Degrees()
    {
        var d = new double[N];
        for (int i = 0; i < N; i++)
        {
            double sum = 0;
            var row = Adjacency.AsSpan(i * N, N);
            foreach (double v in row) sum += v;
            d[i] = sum;
        }
        return d;
    }

    /// <summary>The subgraph on <paramref name="nodes"/> (in the given order).</summary>
    public DenseGraph Subgraph(IReadOnlyList<int> nodes)
    {
        int m = nodes.Count;
        var a = new double[(long)m * m];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++)
                a[(long)i * m + j] = Adjacency[(long)nodes[i] * N + nodes[j]];
        return new DenseGraph(m, a);
    }
}
