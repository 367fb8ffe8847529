using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>
/// The k largest eigenpairs of a dense symmetric matrix by restarted block Krylov iteration: each cycle builds an
/// orthonormal basis of span{X, MX, ..., M^(s-1) X} with full reorthogonalisation, takes Ritz pairs from the projected
/// matrix (Rayleigh-Ritz), and restarts from the best Ritz vectors until every wanted residual ||My - θy|| is below the
/// tolerance. All the work is in n x n by n x p products (<see cref="DenseProduct"/>), so a 4224-node graph takes a
/// fraction of a second per cycle where a dense decomposition takes minutes. Seeded, so results are reproducible.
/// </summary>
public static class BlockKrylovEigensolver
{
    /// <param name="matrix">[n x n] row-major symmetric matrix M.</param>
    /// <param name="k">Number of wanted eigenpairs (largest algebraic).</param>
    /// <param name="tolerance">Residual norm at which a Ritz pair counts as converged (relative to ||M|| ~ 1 here).</param>
    public static EigenPairs Largest(double[] matrix, int n, int k, int seed, double tolerance = 1e-9, int maxCycles = 300)
    {
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be between 1 and n = {n}");
        int p = Math.Min(n, RoundUp(k + Math.Max(8, k / 4), 16));
        int s = 4;
        if (s * p >= n / 2)
            return DenseSymmetricEigensolver.Largest(matrix, n, k); // small problem: the dense solver is cheaper
        int m = s * p;
        var v = new double[(long)n * m];
        var mv = new double[(long)n * m];
        var rng = new Random(seed);
        var block = new double[n * p];
        for (int i = 0; i < block.Length; i++) block[i] = Gaussian(rng);
        Orthonormalize(block, n, p, v, m, 0, rng);
        SetBlock(v, m, 0, block, n, p);
        var product = new double[n * p];
        DenseProduct.Multiply(matrix, n, block, p, product, p, n, n, p);
        SetBlock(mv, m, 0, product, n, p);

        var h = new double[m * m];
        var y = new double[n * p];
        var my = new double[n * p];
        for (int cycle = 0; cycle < maxCycles; cycle++)
        {
            for (int j = 1; j < s; j++)
            {
                GetBlock(mv, m, (j - 1) * p, block, n, p);
                Orthonormalize(block, n, p, v, m, j * p, rng);
                SetBlock(v, m, j * p, block, n, p);
                DenseProduct.Multiply(matrix, n, block, p, product, p, n, n, p);
                SetBlock(mv, m, j * p, product, n, p);
            }
            DenseProduct.TransposeMultiply(v, m, mv, m, h, m, n, m, m);
            for (int i = 0; i < m; i++)
                for (int j = i + 1; j < m; j++)
                {
                    double sym = 0.5 * (h[i * m + j] + h[j * m + i]);
                    h[i * m + j] = h[j * m + i] = sym;
                }
            var ritz = DenseSymmetricEigensolver.Largest(h, m, p);
            DenseProduct.Multiply(v, m, ritz.Vectors, p, y, p, n, m, p);
            DenseProduct.Multiply(mv, m, ritz.Vectors, p, my, p, n, m, p);
            double worst = 0;
            for (int c = 0; c < k; c++)
            {
                double sum = 0, theta = ritz.Values[c];
                for (int r = 0; r < n; r++)
                {
                    double d = my[r * p + c] - theta * y[r * p + c];
                    sum += d * d;
                }
                worst = Math.Max(worst, Math.Sqrt(sum));
            }
            if (worst <= tolerance || cycle == maxCycles - 1)
            {
                var vectors = new double[n * k];
                for (int r = 0; r < n; r++)
                    Array.Copy(y, r * p, vectors, r * k, k);
                return new EigenPairs(ritz.Values.Take(k).ToArray(), vectors, n);
            }
            SetBlock(v, m, 0, y, n, p);
            SetBlock(mv, m, 0, my, n, p);
        }
        throw new InvalidOperationException("unreachable");
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static void GetBlock(double[] basis, int m, int column, double[] block, int n, int p)
    {
        for (int r = 0; r < n; r++) Array.Copy(basis, (long)r * m + column, block, r * p, p);
    }

    private static void SetBlock(double[] basis, int m, int column, double[] block, int n, int p)
    {
        for (int r = 0; r < n; r++) Array.Copy(block, r * p, basis, (long)r * m + column, p);
    }

    /// <summary>
    /// Makes the columns of <paramref name="block"/> [n x p] orthonormal and orthogonal to the first
    /// <paramref name="previous"/> columns of the basis: two passes of block Gram-Schmidt against the basis, then modified
    /// Gram-Schmidt within the block; a column that vanishes (the Krylov space is exhausted, e.g. a graph with fewer
    /// components than the block) is replaced by a random vector.
    /// </summary>
    private static void Orthonormalize(double[] block, int n, int p, double[] basis, int m, int previous, Random rng)
    {
        var coefficients = new double[Math.Max(1, previous) * p];
        var correction = new double[n * p];
        void ProjectOut(double[] target, int cols)
        {
            if (previous == 0) return;
            for (int pass = 0; pass < 2; pass++)
            {
                DenseProduct.TransposeMultiply(basis, m, target, cols, coefficients, cols, n, previous, cols);
                DenseProduct.Multiply(basis, m, coefficients, cols, correction, cols, n, previous, cols);
                for (int i = 0; i < n * cols; i++) target[i] -= correction[i];
            }
        }
        ProjectOut(block, p);

        // Column-major copy for contiguous dot products.
        var q = new double[p][];
        for (int c = 0; c < p; c++)
        {
            q[c] = new double[n];
            for (int r = 0; r < n; r++) q[c][r] = block[r * p + c];
        }
        for (int c = 0; c < p; c++)
        {
            var w = q[c];
            double original = Math.Sqrt(Dot(w, w));
            for (int attempt = 0; ; attempt++)
            {
                for (int pass = 0; pass < 2; pass++)
                    for (int j = 0; j < c; j++)
                    {
                        double dot = Dot(q[j], w);
                        for (int r = 0; r < n; r++) w[r] -= dot * q[j][r];
                    }
                double norm = Math.Sqrt(Dot(w, w));
                if (norm > 1e-10 * Math.Max(original, 1e-300) && norm > 1e-200)
                {
                    for (int r = 0; r < n; r++) w[r] /= norm;
                    break;
                }
                if (attempt > 5)
                    throw new InvalidOperationException("could not extend the Krylov basis");
                // Replace by a random vector orthogonal to the basis.
                var fresh = new double[n];
                for (int r = 0; r < n; r++) fresh[r] = Gaussian(rng);
                if (previous > 0)
                {
                    var tmp = new double[n];
                    var coef = new double[previous];
                    DenseProduct.TransposeMultiply(basis, m, fresh, 1, coef, 1, n, previous, 1);
                    DenseProduct.Multiply(basis, m, coef, 1, tmp, 1, n, previous, 1);
                    for (int r = 0; r < n; r++) fresh[r] -= tmp[r];
                }
                Array.Copy(fresh, w, n);
                original = Math.Sqrt(Dot(w, w));
            }
        }
        for (int c = 0; c < p; c++)
            for (int r = 0; r < n; r++) block[r * p + c] = q[c][r];
    }

    private static double Dot(double[] a, double[] b)
    {
        var va = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(a);
        var vb = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(b);
        var acc = System.Numerics.Vector<double>.Zero;
        for (int i = 0; i < va.Length; i++) acc += va[i] * vb[i];
        double sum = System.Numerics.Vector.Sum(acc);
        for (int i = va.Length * System.Numerics.Vector<double>.Count; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
