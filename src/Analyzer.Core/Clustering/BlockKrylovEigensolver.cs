using Analyzer.Core.Graphs;
using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Clustering;

/// <summary>
/// The k largest eigenpairs of a dense symmetric matrix by restarted block Krylov iteration: each cycle builds an
/// orthonormal basis of span{X, MX, ..., M^(s-1) X} with full reorthogonalisation, takes Ritz pairs from the projected
/// matrix (Rayleigh-Ritz), and restarts from the best Ritz vectors until every wanted residual ||My - θy|| is below the
/// tolerance. All the work is in dense products (<see cref="DenseProduct"/>), so a 4224-node graph takes a fraction of
/// a second where a dense decomposition takes minutes. Seeded, so results are reproducible.
/// </summary>
public static class BlockKrylovEigensolver
{
    /// <param name="matrix">[n x n] row-major symmetric matrix M.</param>
    /// <param name="k">Number of wanted eigenpairs (largest algebraic).</param>
    /// <param name="tolerance">Residual norm at which a Ritz pair counts as converged (relative to ||M|| ~ 1 here).</param>
    public static EigenPairs Largest(double[] matrix, int n, int k, int seed, double tolerance = 1e-9, int maxCycles = 300) =>
        Largest(new DenseOperator(matrix, n), k, seed, tolerance, maxCycles);

    /// <param name="matrix">The symmetric operator M (dense, or applied block by block).</param>
    /// <param name="basisBlocks">Blocks of p vectors in the basis between restarts (<see cref="WeightedGraph.EigenBasisBlocks"/>).</param>
    public static EigenPairs Largest(SymmetricOperator matrix, int k, int seed, double tolerance = 1e-9, int maxCycles = 300, int basisBlocks = 4) =>
        Largest(matrix, k, seed, tolerance, maxCycles, basisBlocks, projectionFromRelation: true);

    /// <param name="projectionFromRelation">False multiplies the whole projected matrix out every cycle (for tests: the
    /// columns the orthonormalisation gives must converge as the multiplied-out ones do).</param>
    internal static EigenPairs Largest(SymmetricOperator matrix, int k, int seed, double tolerance, int maxCycles, int basisBlocks,
        bool projectionFromRelation)
    {
        int n = matrix.N;
        if (k < 1 || k > n)
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k} must be between 1 and n = {n}");
        int p = Math.Min(n, RoundUp(k + Math.Max(8, k / 4), 16));
        if (4 * p >= n / 2)
            return DenseSymmetricEigensolver.Largest(matrix.ToDense(), n, k); // small problem: the dense solver is cheaper
        // A large basis restarts from 3p Ritz vectors, not p: the 2p after the wanted ones are directions a restart
        // would otherwise discard and have to find again (docs/design.md, large graphs).
        int keep = basisBlocks >= 8 ? 3 : 1;
        return new Solver(matrix, n, p, basisBlocks * p, keep, seed, projectionFromRelation).Run(k, tolerance, maxCycles);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    /// <summary>Float32 products end when the worst residual is within this factor of the tolerance.</summary>
    private const double SingleUntil = 30;

    /// <summary>... or when a cycle lowers the worst residual by less than this factor.</summary>
    private const double Stalled = 0.9;

    /// <summary>Working storage of one solve: the basis V [n x m] (Vᵀ·W read from V as stored) and MV = M·V.</summary>
    private sealed class Solver(SymmetricOperator matrix, int n, int p, int m, int keep, int seed, bool projectionFromRelation)
    {
        private readonly double[] v = new double[(long)n * m];
        private readonly double[] mv = new double[(long)n * m];
        private readonly double[] block = new double[n * p];
        private readonly double[] product = new double[n * p];
        private readonly double[] coefficients = new double[m * p];
        private readonly Random rng = new(seed);
        // The projected matrix Vᵀ·M·V. A block's column of it is what orthonormalising M·(that block) computed anyway
        // (the Arnoldi relation M·V_s = V·C + Q·R); only the columns no block was built from are multiplied out.
        private readonly double[] h = new double[m * m];
        private readonly double[] projection = new double[m * p];
        private readonly double[] firstFactor = new double[p * p], secondFactor = new double[p * p];
        // False when a fallback replaced columns of a block this cycle (the relation no longer holds): h is computed in full.
        private bool relationHolds;
        // Products in float32 while the residuals are far above the tolerance (operators that offer them); a cycle whose
        // basis holds any such product is never accepted as converged.
        private bool single = matrix.OffersSinglePrecision, singleInBasis;

        public EigenPairs Run(int k, double tolerance, int maxCycles)
        {
            for (int i = 0; i < block.Length; i++) block[i] = Gaussian();
            Orthonormalize(0, source: -1);
            Store(0);
            Apply(0);
            int kept = keep * p;
            // The kept Ritz values: the projected matrix on the kept Ritz vectors is their diagonal, except in the cycle
            // after M·Y was computed again in float64 (then those columns are multiplied out).
            var keptValues = new double[kept];
            bool restartDiagonal = false;
            var y = new double[n * kept];
            var my = new double[n * kept];
            double previousWorst = double.PositiveInfinity;
            for (int cycle = 0, filled = 1; ; cycle++, filled = keep)
            {
                relationHolds = true;
                // The first new block is M applied to the wanted (first p) basis vectors, each later one M applied to the last.
                for (int j = filled; j * p < m; j++)
                {
                    int source = j == filled ? 0 : (j - 1) * p;
                    for (int r = 0; r < n; r++) Array.Copy(mv, (long)r * m + source, block, r * p, p);
                    Orthonormalize(j * p, source);
                    Store(j * p);
                    Apply(j * p);
                }
                ProjectedMatrix(filled, restartDiagonal, keptValues);
                var ritz = DenseSymmetricEigensolver.Largest(h, m, kept);
                Array.Copy(ritz.Values, keptValues, kept);
                restartDiagonal = true;
                DenseProduct.Multiply(v, m, ritz.Vectors, kept, y, kept, n, m, kept);
                DenseProduct.Multiply(mv, m, ritz.Vectors, kept, my, kept, n, m, kept);
                double worst = 0;
                for (int c = 0; c < k; c++)
                {
                    double sum = 0, theta = ritz.Values[c];
                    for (int r = 0; r < n; r++)
                    {
                        double d = my[r * kept + c] - theta * y[r * kept + c];
                        sum += d * d;
                    }
                    worst = Math.Max(worst, Math.Sqrt(sum));
                }
                if ((worst <= tolerance && !singleInBasis) || cycle == maxCycles - 1)
                {
                    var vectors = new double[n * k];
                    for (int r = 0; r < n; r++) Array.Copy(y, r * kept, vectors, r * k, k);
                    return new EigenPairs(ritz.Values.Take(k).ToArray(), vectors, n, worst, worst <= tolerance && !singleInBasis);
                }
                // Float32 products end once the residuals are within SingleUntil of the tolerance, or stop falling (their
                // rounding, near 1e-6, would hold them there); M·Y is then computed again in float64, so the next cycle's
                // basis holds no float32 product.
                bool leaveSingle = single && (worst <= SingleUntil * tolerance || worst > Stalled * previousWorst);
                previousWorst = worst;
                if (leaveSingle)
                {
                    single = false;
                    for (int c0 = 0; c0 < kept; c0 += p)
                    {
                        for (int r = 0; r < n; r++) Array.Copy(y, (long)r * kept + c0, block, r * p, p);
                        matrix.Apply(block, p, product);
                        for (int r = 0; r < n; r++) Array.Copy(product, r * p, my, (long)r * kept + c0, p);
                    }
                    singleInBasis = false;
                    restartDiagonal = false;
                }
                // Restart from the kept Ritz vectors; M·Y is already known.
                for (int r = 0; r < n; r++)
                {
                    Array.Copy(y, (long)r * kept, v, (long)r * m, kept);
                    Array.Copy(my, (long)r * kept, mv, (long)r * m, kept);
                }
            }
        }

        private double Gaussian()
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }

        /// <summary>Copies the block into columns [column, column + p) of V.</summary>
        private void Store(int column)
        {
            for (int r = 0; r < n; r++) Array.Copy(block, r * p, v, (long)r * m + column, p);
        }

        /// <summary>MV[:, column..column+p) = M · block.</summary>
        private void Apply(int column)
        {
            if (single)
            {
                matrix.ApplySingle(block, p, product);
                singleInBasis = true;
            }
            else matrix.Apply(block, p, product);
            for (int r = 0; r < n; r++) Array.Copy(product, r * p, mv, (long)r * m + column, p);
        }

        /// <summary>
        /// Makes the block's columns orthonormal and orthogonal to the first <paramref name="previous"/> basis vectors:
        /// two passes of block Gram-Schmidt against the basis, then Cholesky QR twice within the block. When the block
        /// is rank-deficient (the Krylov space is exhausted, as for a graph with few components), falls back to
        /// modified Gram-Schmidt, replacing vanished columns by random vectors.
        /// </summary>
        private void Orthonormalize(int previous, int source)
        {
            ProjectOut(block, p, previous);
            for (int pass = 0; pass < 2; pass++)
                if (!CholeskyQr(pass == 0 ? firstFactor : secondFactor))
                {
                    GramSchmidtWithReplacement(previous);
                    relationHolds = false;
                    return;
                }
            if (source >= 0) RecordColumn(source, previous);
        }

        /// <summary>
        /// Columns [source, source + p) of the projected matrix from the orthonormalisation of M·V_s that just ended:
        /// M·V_s = V[:, :previous]·C + Q·R2·R1, with C the summed projection coefficients and Q the new block, so
        /// Vᵀ·M·V_s is C above, R2·R1 beside the new block and zero below it (the basis is orthonormal).
        /// </summary>
        private void RecordColumn(int source, int previous)
        {
            for (int i = 0; i < previous; i++)
                Array.Copy(projection, i * p, h, i * m + source, p);
            for (int i = 0; i < p; i++)
                for (int c = 0; c < p; c++)
                {
                    double sum = 0;
                    for (int q = i; q <= c; q++) sum += secondFactor[i * p + q] * firstFactor[q * p + c];
                    h[(previous + i) * m + source + c] = sum;
                }
            for (int i = previous + p; i < m; i++)
                Array.Clear(h, i * m + source, p);
        }

        /// <summary>
        /// Fills h = Vᵀ·M·V once the basis is complete. The columns of the blocks new blocks were built from are already
        /// there (<see cref="RecordColumn"/>); the last block's columns are multiplied out; the kept Ritz vectors' columns
        /// other than the first block are their Ritz values on the diagonal and, below, the transpose of the rows the
        /// other columns hold. When a fallback broke the relation, everything is multiplied out. Then h is made symmetric.
        /// </summary>
        private void ProjectedMatrix(int filled, bool restartDiagonal, double[] keptValues)
        {
            if (!relationHolds || !projectionFromRelation)
                DenseProduct.MultiplyTransposedAInSlices(v, m, mv, m, h, m, m, n, m);
            else
            {
                MultiplyColumns(m - p);
                int kept = filled * p;
                if (filled > 1 && !restartDiagonal)
                    for (int c0 = p; c0 < kept; c0 += p) MultiplyColumns(c0);
                else if (filled > 1)
                    for (int j = p; j < kept; j++)
                    {
                        for (int i = 0; i < kept; i++) h[i * m + j] = i == j ? keptValues[j] : 0;
                        for (int i = kept; i < m; i++) h[i * m + j] = h[j * m + i];
                    }
            }
            for (int i = 0; i < m; i++)
                for (int j = i + 1; j < m; j++)
                    h[i * m + j] = h[j * m + i] = 0.5 * (h[i * m + j] + h[j * m + i]);
        }

        /// <summary>h[:, c0..c0+p) = Vᵀ·MV[:, c0..c0+p): one block's columns.</summary>
        private void MultiplyColumns(int c0)
        {
            for (int r = 0; r < n; r++) Array.Copy(mv, (long)r * m + c0, block, r * p, p);
            DenseProduct.MultiplyTransposedAInSlices(v, m, block, p, coefficients, p, m, n, p);
            for (int i = 0; i < m; i++) Array.Copy(coefficients, i * p, h, i * m + c0, p);
        }

        /// <summary>
        /// Removes the first <paramref name="previous"/> basis vectors from the columns of target: two passes of block
        /// Gram-Schmidt, and more (up to <see cref="MaxProjections"/>) while a pass still removes most of a column (the
        /// test of Daniel, Gragg, Kaufman and Stewart). A column nearly inside the basis (an exhausted Krylov space, or
        /// M·y for a converged Ritz vector y) keeps, after two passes, a share of the basis' own rounding magnified by
        /// how much it shrank; left there, each such block spoils the next (light_inception_v1: 1e-13, 4e-10, 2e-3 off
        /// orthogonal in three blocks, then Ritz values above 1). Where the second pass removes little, as on every
        /// graph that converges normally, nothing changes.
        /// </summary>
        private void ProjectOut(double[] target, int cols, int previous)
        {
            Array.Clear(projection, 0, previous * cols);
            if (previous == 0) return;
            var correction = product; // free between products; fresh arrays here were 35 x 16 MB of page faults on ConvNeXt-T
            double[]? before = null;
            for (int pass = 0; pass < MaxProjections; pass++)
            {
                if (pass == 1) before = ColumnNorms(target, cols);
                DenseProduct.MultiplyTransposedAInSlices(v, m, target, cols, coefficients, cols, previous, n, cols);
                DenseProduct.Multiply(v, m, coefficients, cols, correction, cols, n, previous, cols);
                for (int i = 0; i < n * cols; i++) target[i] -= correction[i];
                for (int i = 0; i < previous * cols; i++) projection[i] += coefficients[i];
                if (pass == 0) continue;
                var after = ColumnNorms(target, cols);
                bool removedMost = false;
                for (int c = 0; c < cols; c++) removedMost |= after[c] < 0.5 * before![c];
                if (!removedMost) return;
                before = after;
            }
        }

        /// <summary>
        /// <see cref="ProjectOut"/> for one vector, reading the basis row by row (the block products read a single
        /// column's coefficients down the basis' columns, a stride of m per element: 14 % of VGG-16's clustering).
        /// </summary>
        private void ProjectOutVector(double[] w, int previous)
        {
            var coefficient = new double[previous];
            double before = Math.Sqrt(Dot(w, w));
            for (int pass = 0; pass < MaxProjections; pass++)
            {
                Array.Clear(coefficient);
                for (int r = 0; r < n; r++)
                {
                    var row = v.AsSpan(r * m, previous);
                    double x = w[r];
                    for (int j = 0; j < previous; j++) coefficient[j] += row[j] * x;
                }
                for (int r = 0; r < n; r++)
                {
                    var row = v.AsSpan(r * m, previous);
                    double sum = 0;
                    for (int j = 0; j < previous; j++) sum += row[j] * coefficient[j];
                    w[r] -= sum;
                }
                double after = Math.Sqrt(Dot(w, w));
                if (pass >= 1 && !(after < 0.5 * before)) return;
                before = after;
            }
        }

        /// <summary>Share of a column left after the fallback's Gram-Schmidt below which it is projected out of the basis
        /// again (the basis' rounding in it is magnified at most this much otherwise: orthogonal to 1e-13).</summary>
        private const double Cancelled = 1e-3;

        /// <summary>Projection passes at most, where each still removes most of a column.</summary>
        private const int MaxProjections = 5;

        private double[] ColumnNorms(double[] target, int cols)
        {
            var sums = new double[cols];
            for (int r = 0; r < n; r++)
                for (int c = 0; c < cols; c++) sums[c] += target[r * cols + c] * target[r * cols + c];
            for (int c = 0; c < cols; c++) sums[c] = Math.Sqrt(sums[c]);
            return sums;
        }

        /// <summary>block ← block · R⁻¹ with RᵀR = blockᵀ·block; false when the Gram matrix is numerically singular.
        /// The Gram matrix and the product with R⁻¹ (inverted in p³/6 steps) are dense products.</summary>
        private bool CholeskyQr(double[] factor)
        {
            var gram = new double[p * p];
            DenseProduct.MultiplyTransposedAInSlices(block, p, block, p, gram, p, p, n, p);
            double largest = 0;
            for (int c = 0; c < p; c++) largest = Math.Max(largest, gram[c * p + c]);
            // Cholesky G = RᵀR (R upper triangular, stored in gram's upper triangle).
            for (int j = 0; j < p; j++)
            {
                double d = gram[j * p + j];
                for (int q = 0; q < j; q++) d -= gram[q * p + j] * gram[q * p + j];
                if (!(d > 1e-20 * largest)) return false;
                d = Math.Sqrt(d);
                gram[j * p + j] = d;
                for (int c = j + 1; c < p; c++)
                {
                    double e = gram[j * p + c];
                    for (int q = 0; q < j; q++) e -= gram[q * p + j] * gram[q * p + c];
                    gram[j * p + c] = e / d;
                }
            }
            // R⁻¹, upper triangular: column by column, R · x = e_c by back substitution.
            var inverse = new double[p * p];
            for (int c = 0; c < p; c++)
                for (int r = c; r >= 0; r--)
                {
                    double value = r == c ? 1 : 0;
                    for (int q = r + 1; q <= c; q++) value -= gram[r * p + q] * inverse[q * p + c];
                    inverse[r * p + c] = value / gram[r * p + r];
                }
            DenseProduct.Multiply(block, p, inverse, p, product, p, n, p, p);
            Array.Copy(product, block, block.Length);
            for (int r = 0; r < p; r++)
                for (int c = 0; c < p; c++) factor[r * p + c] = c >= r ? gram[r * p + c] : 0;
            return true;
        }

        private void GramSchmidtWithReplacement(int previous)
        {
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
                    for (int pass = 0; pass < 2; pass++) RemoveColumns(q, c, w);
                    double norm = Math.Sqrt(Dot(w, w));
                    if (norm < Cancelled * original && previous > 0)
                    {
                        // Most of the column cancelled: what is left carries the basis' rounding magnified by as much
                        // (the block came through an ill-conditioned Cholesky pass, or the Krylov space ran out), so it is
                        // taken out of the basis and the block's earlier columns again.
                        ProjectOutVector(w, previous);
                        RemoveColumns(q, c, w);
                        norm = Math.Sqrt(Dot(w, w));
                    }
                    if (norm > 1e-10 * Math.Max(original, 1e-300) && norm > 1e-200)
                    {
                        for (int r = 0; r < n; r++) w[r] /= norm;
                        break;
                    }
                    if (attempt > 5)
                        throw new InvalidOperationException("could not extend the Krylov basis");
                    for (int r = 0; r < n; r++) w[r] = Gaussian();
                    ProjectOutVector(w, previous);
                    original = Math.Sqrt(Dot(w, w));
                }
            }
            for (int c = 0; c < p; c++)
                for (int r = 0; r < n; r++) block[r * p + c] = q[c][r];
        }

        /// <summary>w minus its components along the first <paramref name="count"/> orthonormal columns (one modified Gram-Schmidt pass).</summary>
        private void RemoveColumns(double[][] q, int count, double[] w)
        {
            for (int j = 0; j < count; j++)
            {
                double dot = Dot(q[j], w);
                for (int r = 0; r < n; r++) w[r] -= dot * q[j][r];
            }
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
}
