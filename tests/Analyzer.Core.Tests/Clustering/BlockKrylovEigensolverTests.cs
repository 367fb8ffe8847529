using Analyzer.Core.Graphs;
using Analyzer.Core.Clustering;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Clustering;

public class BlockKrylovEigensolverTests
{
    /// <summary>D^-1/2 A D^-1/2 shifted to (M + I)/2 for a random weighted graph: the operator the partitioner solves.</summary>
    private static double[] NormalizedOperator(int n, int seed, double density)
    {
        var rng = new Random(seed);
        var a = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (rng.NextDouble() < density)
                    a[i * n + j] = a[j * n + i] = rng.NextDouble();
        var d = Enumerable.Range(0, n).Select(i => a.Skip(i * n).Take(n).Sum()).ToArray();
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i * n + j] = 0.5 * a[i * n + j] / Math.Sqrt(d[i] * d[j]);
            m[i * n + i] += 0.5;
        }
        return m;
    }

    [Theory]
    [InlineData(400, 16, 1, 0.3, 4)]
    [InlineData(700, 32, 2, 0.05, 4)]
    [InlineData(500, 5, 3, 1.0, 4)]
    [InlineData(400, 16, 1, 0.3, 8)]   // the basis of a large graph
    [InlineData(700, 32, 2, 0.05, 8)]
    public void Agrees_with_the_dense_decomposition(int n, int k, int seed, double density, int basisBlocks)
    {
        var m = NormalizedOperator(n, seed, density);
        var krylov = BlockKrylovEigensolver.Largest(new DenseOperator(m, n), k, seed: 0, tolerance: 1e-10, basisBlocks: basisBlocks);
        var dense = DenseSymmetricEigensolver.Largest(m, n, k);
        new Tolerance(1e-9, 0).AssertAll(krylov.Values, dense.Values, "eigenvalues");
        // Eigenvectors agree up to sign where the eigenvalue is simple: |<u, v>| = 1.
        for (int c = 0; c < k; c++)
        {
            bool simple = (c == 0 || dense.Values[c - 1] - dense.Values[c] > 1e-6) && (c == k - 1 || dense.Values[c] - dense.Values[c + 1] > 1e-6);
            if (!simple) continue;
            double dot = 0;
            for (int r = 0; r < n; r++) dot += krylov.Vector(r, c) * dense.Vector(r, c);
            Assert.InRange(Math.Abs(dot), 1 - 1e-8, 1 + 1e-8);
        }
    }

    [Fact]
    public void Eigenvectors_are_orthonormal_with_small_residuals()
    {
        int n = 600, k = 20;
        var m = NormalizedOperator(n, 4, 0.2);
        var pairs = BlockKrylovEigensolver.Largest(m, n, k, seed: 1);
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int r = 0; r < n; r++) dot += pairs.Vector(r, a) * pairs.Vector(r, b);
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 9);
            }
            double residual = 0;
            for (int r = 0; r < n; r++)
            {
                double mv = 0;
                for (int c = 0; c < n; c++) mv += m[r * n + c] * pairs.Vector(c, a);
                residual += Math.Pow(mv - pairs.Values[a] * pairs.Vector(r, a), 2);
            }
            Assert.True(Math.Sqrt(residual) < 1e-8, $"residual of pair {a}: {Math.Sqrt(residual)}");
        }
    }

    /// <summary>A dense operator that offers float32 products, emulated by rounding what goes in and what comes out.</summary>
    private sealed class RoundingOperator(double[] matrix, int n) : SymmetricOperator
    {
        private readonly DenseOperator exact = new(matrix, n);
        public int SingleProducts { get; private set; }
        public override int N => n;
        public override void Apply(double[] x, int cols, double[] y) => exact.Apply(x, cols, y);
        public override bool OffersSinglePrecision => true;
        public override void ApplySingle(double[] x, int cols, double[] y)
        {
            SingleProducts++;
            exact.Apply(x.Select(v => (double)(float)v).ToArray(), cols, y);
            for (int i = 0; i < n * cols; i++) y[i] = (float)y[i];
        }
        public override double[] ToDense() => exact.ToDense();
    }

    /// <summary>Counts the vectors the operator is applied to.</summary>
    private sealed class CountingOperator(SymmetricOperator inner) : SymmetricOperator
    {
        public long Vectors { get; private set; }
        public override int N => inner.N;
        public override void Apply(double[] x, int cols, double[] y) { Vectors += cols; inner.Apply(x, cols, y); }
        public override bool OffersSinglePrecision => inner.OffersSinglePrecision;
        public override void ApplySingle(double[] x, int cols, double[] y) { Vectors += cols; inner.ApplySingle(x, cols, y); }
        public override double[] ToDense() => inner.ToDense();
    }

    [Theory]
    [InlineData(700, 32, 2, 0.05, 4, false)]
    [InlineData(700, 32, 2, 0.05, 8, false)]
    [InlineData(1200, 24, 5, 0.01, 8, false)]
    [InlineData(700, 32, 2, 0.05, 8, true)] // float32 early cycles, then the cycle whose kept columns are multiplied out
    public void The_projected_matrix_from_the_orthonormalisation_converges_as_the_multiplied_out_one(int n, int k, int seed,
        double density, int basisBlocks, bool float32)
    {
        var m = NormalizedOperator(n, seed, density);
        SymmetricOperator Operator() => float32 ? new RoundingOperator(m, n) : new DenseOperator(m, n);
        var fromRelation = new CountingOperator(Operator());
        var multipliedOut = new CountingOperator(Operator());
        var a = BlockKrylovEigensolver.Largest(fromRelation, k, 0, 1e-10, 300, basisBlocks, projectionFromRelation: true);
        var b = BlockKrylovEigensolver.Largest(multipliedOut, k, 0, 1e-10, 300, basisBlocks, projectionFromRelation: false);
        Assert.True(a.Converged && b.Converged);
        Assert.True(multipliedOut.Vectors > 4 * basisBlocks * 48, "the test graph converges in too few cycles to tell");
        // A wrong column of the projected matrix still converges (the residuals are measured, not projected), but slower.
        // Float32 rounding differs between the two, and with it the cycle where float32 ends: within a cycle's products.
        if (float32) Assert.InRange(fromRelation.Vectors, 0, multipliedOut.Vectors * 1.15);
        else Assert.Equal(multipliedOut.Vectors, fromRelation.Vectors);
        new Tolerance(1e-12, 0).AssertAll(a.Values, b.Values, "eigenvalues");
    }

    [Theory]
    [InlineData(700, 32, 2, 0.05, 8, 1e-10)] // float32 stalls far above the tolerance: products go back to float64
    [InlineData(700, 32, 2, 0.05, 8, 1e-6)]
    [InlineData(400, 16, 1, 0.3, 4, 1e-6)]
    public void Float32_products_in_early_cycles_leave_the_answer_of_float64(int n, int k, int seed, double density, int basisBlocks,
        double tolerance)
    {
        var m = NormalizedOperator(n, seed, density);
        var rounding = new RoundingOperator(m, n);
        var pairs = BlockKrylovEigensolver.Largest(rounding, k, seed: 0, tolerance: tolerance, basisBlocks: basisBlocks);
        Assert.True(rounding.SingleProducts > 0, "no float32 products");
        var dense = DenseSymmetricEigensolver.Largest(m, n, k);
        new Tolerance(10 * tolerance, 0).AssertAll(pairs.Values, dense.Values, "eigenvalues");
        for (int c = 0; c < k; c++)
        {
            double residual = 0;
            for (int r = 0; r < n; r++)
            {
                double mv = 0;
                for (int q = 0; q < n; q++) mv += m[r * n + q] * pairs.Vector(q, c);
                residual += Math.Pow(mv - pairs.Values[c] * pairs.Vector(r, c), 2);
            }
            Assert.True(Math.Sqrt(residual) <= tolerance * 1.01, $"residual of pair {c}: {Math.Sqrt(residual)} (tolerance {tolerance})");
        }
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    public void A_graph_of_few_distinct_rows_keeps_the_basis_orthonormal(int basisBlocks)
    {
        // Six groups of 100 nodes, every pair of nodes weighted by their groups alone: the normalized operator has rank
        // six plus the shift, so the Krylov space runs out after a block and every later block is rounding (as in the
        // constant-weight light_inception_v1 model, whose basis fell apart: Ritz values above 1, residuals growing).
        const int n = 600, groups = 6, k = 16;
        var rng = new Random(7);
        var between = new double[groups * groups];
        for (int a = 0; a < groups; a++)
            for (int b = a; b < groups; b++) between[a * groups + b] = between[b * groups + a] = 0.1 + rng.NextDouble();
        var adjacency = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j) adjacency[i * n + j] = between[i / 100 * groups + j / 100];
        var degree = Enumerable.Range(0, n).Select(i => adjacency.Skip(i * n).Take(n).Sum()).ToArray();
        var m = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i * n + j] = 0.5 * adjacency[i * n + j] / Math.Sqrt(degree[i] * degree[j]);
            m[i * n + i] += 0.5;
        }
        var krylov = BlockKrylovEigensolver.Largest(new DenseOperator(m, n), k, seed: 0, tolerance: 1e-9, basisBlocks: basisBlocks);
        var dense = DenseSymmetricEigensolver.Largest(m, n, k);
        new Tolerance(1e-8, 0).AssertAll(krylov.Values, dense.Values, "eigenvalues");
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int r = 0; r < n; r++) dot += krylov.Vector(r, a) * krylov.Vector(r, b);
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 8);
            }
    }

    [Fact]
    public void Says_when_it_stopped_at_its_cycle_limit_above_the_tolerance()
    {
        var m = NormalizedOperator(700, 2, 0.05);
        var stopped = BlockKrylovEigensolver.Largest(new DenseOperator(m, 700), 32, seed: 0, tolerance: 1e-10, maxCycles: 1, basisBlocks: 4);
        Assert.False(stopped.Converged);
        Assert.True(stopped.Residual > 1e-10, $"residual {stopped.Residual}");
        var converged = BlockKrylovEigensolver.Largest(new DenseOperator(m, 700), 32, seed: 0, tolerance: 1e-10, basisBlocks: 4);
        Assert.True(converged.Converged);
        Assert.InRange(converged.Residual, 0, 1e-10);

        var partitioning = new NetworkPartitioning(ClusteringScope.Network, 32, 1, 0, [], stopped.Residual, stopped.Converged);
        var warning = Analyzer.Core.Pipeline.ResultWarnings.Eigen("weights-network", partitioning);
        Assert.NotNull(warning);
        Assert.Equal(("eigen-not-converged", "weights-network"), (warning!.Kind, warning.Partitioning));
        Assert.Null(Analyzer.Core.Pipeline.ResultWarnings.Eigen("weights-network", partitioning with { EigenConverged = true }));
    }
}
