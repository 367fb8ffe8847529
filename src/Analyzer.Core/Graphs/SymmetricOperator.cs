using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Graphs;

/// <summary>
/// A symmetric linear operator on R^n applied to blocks of vectors (Y = M·X, X and Y [n x cols] row-major): what the
/// block Krylov eigensolver iterates on. Dense graphs give a dense matrix; block graphs apply their blocks without
/// ever forming the n x n matrix.
/// </summary>
public abstract class SymmetricOperator
{
    public abstract int N { get; }

    public abstract void Apply(double[] x, int cols, double[] y);

    /// <summary>
    /// Whether <see cref="ApplySingle"/> is offered: large block graphs, where float32 products take half the time of
    /// float64 ones (docs/design.md, large graphs).
    /// </summary>
    public virtual bool OffersSinglePrecision => false;

    /// <summary>Y = M·X computed in float32 arithmetic (relative error near 1e-6), where <see cref="OffersSinglePrecision"/>.</summary>
    public virtual void ApplySingle(double[] x, int cols, double[] y) =>
        throw new NotSupportedException($"{GetType().Name} has no float32 products");

    /// <summary>The n x n matrix (for problems small enough to decompose densely).</summary>
    public abstract double[] ToDense();
}

/// <summary>A dense symmetric matrix; products skip its all-zero 64 x 64 tiles.</summary>
public sealed class DenseOperator(double[] matrix, int n) : SymmetricOperator
{
    private readonly TileMask mask = TileMask.Of(matrix, n, n, n);

    public override int N => n;

    public override void Apply(double[] x, int cols, double[] y) =>
        DenseProduct.Multiply(matrix, n, x, cols, y, cols, n, n, cols, mask: mask);

    public override double[] ToDense() => matrix;
}
