using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Graphs;

/// <summary>
/// M = factor·S·A[nodes, nodes]·S + shift·I for a dense adjacency A and a diagonal S, applied as S, then A on the full
/// node range (the rows of X scattered to their nodes, zero elsewhere), then S again, never forming M: the normalized
/// operator of a dense graph costs no memory beyond the graph.
/// </summary>
public sealed class ScaledDenseOperator : SymmetricOperator
{
    private readonly DenseGraph graph;
    private readonly int[] nodes;
    private readonly double[] scale;
    private readonly double factor, shift;
    private readonly TileMask mask;

    public ScaledDenseOperator(DenseGraph graph, int[] nodes, double[] scale, double factor, double shift)
    {
        if (scale.Length != nodes.Length)
            throw new ArgumentException($"{scale.Length} scales for {nodes.Length} nodes", nameof(scale));
        (this.graph, this.nodes, this.scale, this.factor, this.shift) = (graph, nodes, scale, factor, shift);
        mask = TileMask.Of(graph.Adjacency, graph.N, graph.N, graph.N);
    }

    public override int N => nodes.Length;

    public override void Apply(double[] x, int cols, double[] y)
    {
        int full = graph.N;
        var scattered = new double[(long)full * cols];
        for (int r = 0; r < nodes.Length; r++)
            for (int c = 0; c < cols; c++)
                scattered[(long)nodes[r] * cols + c] = scale[r] * x[(long)r * cols + c];
        var product = new double[(long)full * cols];
        DenseProduct.Multiply(graph.Adjacency, full, scattered, cols, product, cols, full, full, cols, mask: mask);
        for (int r = 0; r < nodes.Length; r++)
            for (int c = 0; c < cols; c++)
            {
                long at = (long)r * cols + c;
                y[at] = factor * scale[r] * product[(long)nodes[r] * cols + c] + shift * x[at];
            }
    }

    public override double[] ToDense()
    {
        int n = nodes.Length;
        var m = new double[(long)n * n];
        Parallel.For(0, n, Kernels.Parallelism.Options(), r =>
        {
            long row = (long)r * n, source = (long)nodes[r] * graph.N;
            for (int c = 0; c < n; c++)
                m[row + c] = factor * graph.Adjacency[source + nodes[c]] * scale[r] * scale[c];
            m[row + r] += shift;
        });
        return m;
    }
}
