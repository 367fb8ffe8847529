namespace Analyzer.Core.Clustering;

/// <summary>Eigenvalues (in the order the producer states) and eigenvectors as columns of an n x k row-major matrix;
/// from the iterative solver also its worst residual, and whether that reached the tolerance before the cycle limit.</summary>
public sealed record EigenPairs(double[] Values, double[] Vectors, int N, double Residual = 0, bool Converged = true)
{
    public int K => Values.Length;
    public double Vector(int row, int column) => Vectors[row * K + column];
}
