using Analyzer.Core.Graphs;

namespace Analyzer.Core.Clustering;

/// <summary>
/// Normalized spectral clustering (Shi and Malik; docs/method.md §4). Nodes of degree 0 are invalid (label -1). The embedding
/// is the k eigenvectors of L_sym = I - D^-1/2 A D^-1/2 with the smallest eigenvalues, each divided by sqrt(degree)
/// (generalized eigenvectors of L u = λ D u), with a deterministic sign; k-means++ with restarts labels the rows.
/// </summary>
public static class SpectralPartitioner
{
    public static Partition Partition(WeightedGraph graph, int k, SpectralOptions options, int seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        double[] degree = graph.Degrees();
        var valid = Enumerable.Range(0, graph.N).Where(i => degree[i] > 0).ToArray();
        if (k < 1)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k}; expected at least 1");
        if (k > valid.Length)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} exceeds the {valid.Length} nodes with edges");
        int n = valid.Length;

        // M' = (D^-1/2 A D^-1/2 + I) / 2 has the eigenvectors of L_sym, with eigenvalue 1 - λ/2 in [0, 1]: the smallest
        // λ become the largest eigenvalues, which the Krylov solver finds fastest.
        var scale = valid.Select(i => 1.0 / Math.Sqrt(degree[i])).ToArray();
        var pairs = BlockKrylovEigensolver.Largest(graph.ScaledOperator(valid, scale, 0.5, 0.5), k, seed, options.EigenTolerance,
            basisBlocks: graph.EigenBasisBlocks);

        var embedding = new double[n * k];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < k; c++)
                embedding[r * k + c] = pairs.Vector(r, c) * scale[r];
        FlipSigns(embedding, n, k);
        var eigenvalues = pairs.Values.Select(theta => 2 - 2 * theta).ToArray();

        var restarts = KMeans.FitAll(embedding, n, k, k, options.RestartsFor(n), options.MaxIterations, seed, options.Refinement);
        int[] GraphLabels(int[] validLabels)
        {
            var all = Enumerable.Repeat(-1, graph.N).ToArray();
            for (int i = 0; i < n; i++) all[valid[i]] = validLabels[i];
            return all;
        }
        // The restart's score: its normalized cut, or (as scikit-learn) its inertia; ties go to the lower index.
        var scores = options.Selection == RestartSelection.NormalizedCut
            ? NormalizedCut.ComputeAll(graph, restarts.Select(r => GraphLabels(r.Labels)).ToList())
            : restarts.Select(r => r.Inertia).ToArray();
        int winner = 0;
        for (int r = 1; r < restarts.Length; r++)
            if (scores[r] < scores[winner]) winner = r;
        var labels = GraphLabels(restarts[winner].Labels);
        int clusters = Renumber(labels);
        double ncut = NormalizedCut.Compute(graph, labels);
        return new Partition(labels, k, clusters, ncut, graph.N - n, eigenvalues, pairs.Residual, pairs.Converged);
    }

    /// <summary>Makes the largest-magnitude entry of every column positive (scikit-learn's deterministic sign).</summary>
    internal static void FlipSigns(double[] vectors, int n, int k)
    {
        for (int c = 0; c < k; c++)
        {
            int arg = 0;
            for (int r = 1; r < n; r++)
                if (Math.Abs(vectors[r * k + c]) > Math.Abs(vectors[arg * k + c])) arg = r;
            if (vectors[arg * k + c] < 0)
                for (int r = 0; r < n; r++) vectors[r * k + c] = -vectors[r * k + c];
        }
    }

    /// <summary>Renumbers labels 0.. in order of each cluster's smallest node index; returns the cluster count.</summary>
    public static int Renumber(int[] labels)
    {
        var mapping = new Dictionary<int, int>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0) continue;
            if (!mapping.TryGetValue(labels[i], out int renamed))
            {
                renamed = mapping.Count;
                mapping[labels[i]] = renamed;
            }
            labels[i] = renamed;
        }
        return mapping.Count;
    }
}
