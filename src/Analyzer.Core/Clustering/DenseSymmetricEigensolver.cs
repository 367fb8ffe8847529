using MathNet.Numerics.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>
/// The k largest eigenpairs of a small symmetric matrix by a full dense decomposition (Math.NET). Exact but O(n^3):
/// used for small graphs, for the Rayleigh-Ritz step of <see cref="BlockKrylovEigensolver"/>, and as the reference the
/// iterative solver is tested against.
/// </summary>
public static class DenseSymmetricEigensolver
{
    /// <param name="matrix">[n x n] row-major, symmetric.</param>
    /// <returns>Eigenvalues in descending order with their unit eigenvectors.</returns>
    public static EigenPairs Largest(double[] matrix, int n, int k)
    {
        var evd = Matrix<double>.Build.DenseOfRowMajor(n, n, matrix).Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToArray();
        var vectors = new double[n * k];
        var ev = evd.EigenVectors;
        for (int c = 0; c < k; c++)
            for (int r = 0; r < n; r++)
                vectors[r * k + c] = ev[r, order[c]];
        return new EigenPairs(order.Select(i => values[i]).ToArray(), vectors, n);
    }
}
