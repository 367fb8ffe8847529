using Analyzer.Kernels.LinearAlgebra;
using Analyzer.TestSupport;

namespace Analyzer.Kernels.Tests.LinearAlgebra;

public class DenseProductTests
{
    private static double[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 7, 5, 3 }, { 6, 300, 16 }, { 64, 64, 64 }, { 100, 513, 48 }, { 257, 129, 33 }, { 13, 700, 17 },
        { 600, 600, 32 }, { 48, 300, 1000 }, { 6, 200, 403 }, { 130, 90, 515 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_matches_the_reference_on_random_matrices(int rows, int inner, int cols)
    {
        var a = Random(rows * inner, rows + 1);
        var b = Random(inner * cols, cols + 2);
        var fast = new double[rows * cols];
        var slow = new double[rows * cols];
        DenseProduct.Multiply(a, inner, b, cols, fast, cols, rows, inner, cols);
        DenseProductReference.Multiply(a, inner, b, cols, slow, cols, rows, inner, cols);
        new Tolerance(1e-12, 1e-12).AssertAll(fast, slow, "C");
    }

    [Fact]
    public void Multiply_respects_leading_dimensions_and_leaves_other_columns_alone()
    {
        int rows = 20, inner = 30, cols = 16, lda = 35, ldb = 21, ldc = 25;
        var a = Random(rows * lda, 3);
        var b = Random(inner * ldb, 4);
        var fast = Enumerable.Repeat(7.0, rows * ldc).ToArray();
        var slow = Enumerable.Repeat(7.0, rows * ldc).ToArray();
        DenseProduct.Multiply(a, lda, b, ldb, fast, ldc, rows, inner, cols);
        DenseProductReference.Multiply(a, lda, b, ldb, slow, ldc, rows, inner, cols);
        new Tolerance(1e-12, 1e-12).AssertAll(fast, slow, "C");
    }

    [Theory]
    [InlineData(300, 300, 32)] // split by rows
    [InlineData(48, 300, 1000)] // few rows, wide: split by columns
    public void Multiply_gives_identical_results_with_one_thread_or_many(int rows, int inner, int cols)
    {
        var a = Random(rows * inner, 8);
        var x = Random(inner * cols, 9);
        var one = new double[rows * cols];
        var many = new double[rows * cols];
        DenseProduct.Multiply(a, inner, x, cols, one, cols, rows, inner, cols, maxThreads: 1);
        DenseProduct.Multiply(a, inner, x, cols, many, cols, rows, inner, cols, maxThreads: 4);
        Assert.Equal(one, many);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Transposed_product_gives_the_bits_of_the_product_with_the_transpose(int rows, int inner, int cols)
    {
        // A is stored [inner x rows] with a wider leading dimension; the plain product gets its explicit transpose.
        int lda = rows + 3;
        var a = Random(inner * lda, rows + 5);
        var b = Random(inner * cols, cols + 6);
        var transposed = new double[rows * inner];
        for (int k = 0; k < inner; k++)
            for (int i = 0; i < rows; i++) transposed[i * inner + k] = a[k * lda + i];
        var fast = new double[rows * cols];
        var plain = new double[rows * cols];
        var slow = new double[rows * cols];
        DenseProduct.MultiplyTransposedA(a, lda, b, cols, fast, cols, rows, inner, cols);
        DenseProduct.Multiply(transposed, inner, b, cols, plain, cols, rows, inner, cols);
        DenseProductReference.Multiply(transposed, inner, b, cols, slow, cols, rows, inner, cols);
        Assert.Equal(plain, fast);
        new Tolerance(1e-12, 1e-12).AssertAll(fast, slow, "C");
    }

    [Theory]
    [InlineData(7, 5, 3)]
    [InlineData(256, 300, 48)] // one band: both products have the bits of the separate ones
    [InlineData(600, 300, 48)] // three bands, the last partial
    [InlineData(130, 1100, 17)] // wide, columns off the panel width
    [InlineData(1030, 70, 5)]
    public void Both_ways_gives_the_two_products_of_one_matrix(int rows, int cols, int vecs)
    {
        int ldb = cols + 3;
        var b = Random(rows * ldb, rows + 11);
        var x = Random(cols * vecs, 12);
        var w = Random(rows * vecs, 13);
        var y = new double[rows * vecs];
        var z = new double[cols * vecs];
        DenseProduct.MultiplyBothWays(b, ldb, rows, cols, x, w, y, z, vecs);
        var plainY = new double[rows * vecs];
        var plainZ = new double[cols * vecs];
        DenseProduct.Multiply(b, ldb, x, vecs, plainY, vecs, rows, cols, vecs);
        DenseProduct.MultiplyTransposedA(b, ldb, w, vecs, plainZ, vecs, cols, rows, vecs);
        Assert.Equal(plainY, y);
        if (rows <= DenseProduct.TransposeBand) Assert.Equal(plainZ, z);
        var slowZ = new double[cols * vecs];
        var bT = new double[cols * rows];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) bT[c * rows + r] = b[r * ldb + c];
        DenseProductReference.Multiply(bT, rows, w, vecs, slowZ, vecs, cols, rows, vecs);
        new Tolerance(1e-12, 1e-12).AssertAll(z, slowZ, "Z");

        var oneY = new double[rows * vecs];
        var oneZ = Enumerable.Repeat(5.0, cols * vecs).ToArray();
        DenseProduct.MultiplyBothWays(b, ldb, rows, cols, x, w, oneY, oneZ, vecs, maxThreads: 1);
        Assert.Equal(y, oneY);
        Assert.Equal(z, oneZ);
    }

    [Theory]
    [InlineData(48, 4000, 48)] // one slice: the bits of the plain transposed product
    [InlineData(48, 9000, 48)] // three equal slices
    [InlineData(100, 4097, 17)] // two slices, rows off the panel height, columns off the panel width
    public void Sliced_transposed_product_sums_long_inner_dimensions_in_parallel(int rows, int inner, int cols)
    {
        int lda = rows + 2;
        var a = Random(inner * lda, rows + 21);
        var b = Random(inner * cols, 22);
        var sliced = new double[rows * cols];
        var plain = new double[rows * cols];
        DenseProduct.MultiplyTransposedAInSlices(a, lda, b, cols, sliced, cols, rows, inner, cols);
        DenseProduct.MultiplyTransposedA(a, lda, b, cols, plain, cols, rows, inner, cols);
        if (inner <= DenseProduct.InnerSlice) Assert.Equal(plain, sliced);
        var transposed = new double[rows * inner];
        for (int k = 0; k < inner; k++)
            for (int i = 0; i < rows; i++) transposed[i * inner + k] = a[k * lda + i];
        var slow = new double[rows * cols];
        DenseProductReference.Multiply(transposed, inner, b, cols, slow, cols, rows, inner, cols);
        new Tolerance(1e-11, 1e-12).AssertAll(sliced, slow, "C");
        var one = Enumerable.Repeat(3.0, rows * cols).ToArray();
        DenseProduct.MultiplyTransposedAInSlices(a, lda, b, cols, one, cols, rows, inner, cols, maxThreads: 1);
        Assert.Equal(sliced, one);
    }

    [Fact]
    public void Wide_product_split_by_columns_respects_leading_dimensions()
    {
        int rows = 10, inner = 40, cols = 300, lda = 45, ldb = 310, ldc = 305;
        var a = Random(rows * lda, 5);
        var b = Random(inner * ldb, 6);
        var fast = Enumerable.Repeat(7.0, rows * ldc).ToArray();
        var slow = Enumerable.Repeat(7.0, rows * ldc).ToArray();
        DenseProduct.Multiply(a, lda, b, ldb, fast, ldc, rows, inner, cols, maxThreads: 4);
        DenseProductReference.Multiply(a, lda, b, ldb, slow, ldc, rows, inner, cols);
        new Tolerance(1e-12, 1e-12).AssertAll(fast, slow, "C");
    }

    [Fact]
    public void Multiply_rejects_a_matrix_too_small_for_its_shape()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            DenseProduct.Multiply(new double[5], 3, new double[9], 3, new double[9], 3, 3, 3, 3));
        Assert.StartsWith("matrix 'a' of 5 elements cannot hold 3 x 3", e.Message);
    }
}

public class TileMaskTests
{
    [Theory]
    [InlineData(300, 500, 32)]
    [InlineData(64, 64, 16)]
    [InlineData(130, 70, 19)]
    public void Masked_product_of_a_block_sparse_matrix_matches_the_reference(int rows, int inner, int cols)
    {
        var rng = new Random(rows + inner);
        // Block-sparse A: only entries whose row and column fall in the same band of 100 are non-zero.
        var a = new double[rows * inner];
        for (int i = 0; i < rows; i++)
            for (int k = 0; k < inner; k++)
                if (i / 100 == k / 100) a[i * inner + k] = rng.NextDouble() - 0.5;
        var b = Enumerable.Range(0, inner * cols).Select(_ => rng.NextDouble()).ToArray();
        var mask = TileMask.Of(a, inner, rows, inner);
        var fast = new double[rows * cols];
        var slow = new double[rows * cols];
        DenseProduct.Multiply(a, inner, b, cols, fast, cols, rows, inner, cols, mask: mask);
        DenseProductReference.Multiply(a, inner, b, cols, slow, cols, rows, inner, cols);
        new Tolerance(1e-12, 1e-12).AssertAll(fast, slow, "C");
    }

    [Fact]
    public void Mask_marks_exactly_the_tiles_with_non_zero_entries()
    {
        var a = new double[130 * 130];
        a[0 * 130 + 0] = 1;        // tile (0, 0)
        a[70 * 130 + 129] = -2;    // tile (1, 2)
        var mask = TileMask.Of(a, 130, 130, 130);
        Assert.Equal((3, 3), (mask.RowTiles, mask.ColTiles));
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal((r, c) is (0, 0) or (1, 2), mask.IsNonzero(r, c));
    }
}

public class UpperProductTests
{
    [Theory]
    [InlineData(300, 200)]
    [InlineData(77, 1000)]
    [InlineData(16, 5)]
    public void Upper_product_matches_the_reference_on_and_above_the_diagonal(int n, int inner)
    {
        var rng = new Random(n);
        var a = Enumerable.Range(0, n * inner).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var at = new double[inner * n];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < inner; k++) at[k * n + i] = a[i * inner + k];
        var fast = new double[n * n];
        var slow = new double[n * n];
        DenseProduct.MultiplyUpper(a, inner, at, n, fast, n, n, inner);
        DenseProductReference.Multiply(a, inner, at, n, slow, n, n, inner, n);
        for (int i = 0; i < n; i++)
            for (int j = i; j < n; j++)
                Assert.True(Math.Abs(fast[i * n + j] - slow[i * n + j]) <= 1e-12 * (1 + Math.Abs(slow[i * n + j])), $"C[{i},{j}]");
    }
}
