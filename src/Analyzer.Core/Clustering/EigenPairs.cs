namespace Analyzer.Core.Clustering;

/// <summary>Eigenvalues (in the order the producer states) and eigenvectors as columns of an n x k row-major matrix.</summary>
public sealed record EigenPairs(double[] Values, double[] Vectors, int N)
{
    public int K => Values.Length;
    public double Vector(int row, int column) => Vectors[row * K + column];
}
