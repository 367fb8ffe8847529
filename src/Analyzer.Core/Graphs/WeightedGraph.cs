namespace Analyzer.Core.Graphs;

/// <summary>
/// A weighted undirected graph with zero diagonal: dense (<see cref="DenseGraph"/>, activation graphs) or as dense
/// blocks between node ranges (<see cref="BlockGraph"/>, weight graphs, which join a node set only to its neighbours).
/// Clustering works on either through these operations.
/// </summary>
public abstract class WeightedGraph
{
    public abstract int N { get; }

    /// <summary>Blocks in the eigensolver's basis between restarts (<see cref="Clustering.BlockKrylovEigensolver"/>): 4
    /// unless the graph's kind converges faster with more (<see cref="BlockGraph"/>).</summary>
    public virtual int EigenBasisBlocks => 4;

    /// <summary>Weighted degree of every node (row sums).</summary>
    public abstract double[] Degrees();

    /// <summary>The operator M = factor·S·A·S + shift·I restricted to <paramref name="nodes"/> (ascending, in that
    /// order), with S = diag(<paramref name="scale"/>): what the eigensolver iterates on.</summary>
    public abstract SymmetricOperator ScaledOperator(int[] nodes, double[] scale, double factor, double shift);

    /// <summary>Adds to <paramref name="volume"/>[a] the weight of every edge between a node labelled a and a labelled
    /// node, and to <paramref name="within"/>[a] the weight of every edge inside label a, each edge counted once per
    /// direction as the dense adjacency's entries would be; nodes labelled -1 and their edges are left out. The sums
    /// of a normalized cut, in one pass over the stored entries.</summary>
    public abstract void AddLabelSums(int[] labels, double[] volume, double[] within);

    /// <summary><see cref="AddLabelSums(int[], double[], double[])"/> for several labellings at once (every k-means
    /// restart's): each labelling's sums are the ones it would get alone. A graph that is costly to read overrides
    /// this to read itself once for all of them.</summary>
    public virtual void AddLabelSums(IReadOnlyList<int[]> labelings, double[][] volumes, double[][] withins) =>
        Parallel.For(0, labelings.Count, Kernels.Parallelism.Options(), l => AddLabelSums(labelings[l], volumes[l], withins[l]));

    /// <summary>The subgraph on <paramref name="nodes"/> (in that order); with <paramref name="keep"/>, only the edges
    /// between nodes i and j (positions in <paramref name="nodes"/>) for which it holds.</summary>
    public abstract WeightedGraph Subgraph(IReadOnlyList<int> nodes, Func<int, int, bool>? keep = null);

    /// <summary>Whether any edge joins a node of [aStart, aStart + aCount) to one of [bStart, bStart + bCount).</summary>
    public abstract bool HasEdges(int aStart, int aCount, int bStart, int bCount);

    /// <summary>Number of stored entries (n² for a dense graph; both triangles).</summary>
    public abstract long StoredEntries { get; }

    /// <summary>The full n x n adjacency, row-major.</summary>
    public abstract double[] ToDense();

    /// <summary>The quotient graph: Q[a·groups + b] = Σ A[i, j] over nodes i of group a and j of group b (nodes in
    /// group -1 left out). A sorted adjacency's picture at any graph size.</summary>
    public virtual double[] GroupSums(int[] group, int groups)
    {
        var sums = new double[(long)groups * groups];
        var (pointers, columns, values) = ToCsr();
        for (int i = 0; i < N; i++)
        {
            if (group[i] < 0) continue;
            for (long e = pointers[i]; e < pointers[i + 1]; e++)
                if (group[columns[e]] >= 0) sums[(long)group[i] * groups + group[columns[e]]] += values[e];
        }
        return sums;
    }

    /// <summary>The non-zero entries in compressed sparse row form (both triangles, columns ascending within a row).</summary>
    public abstract (long[] RowPointers, int[] Columns, double[] Values) ToCsr();
}
