namespace Analyzer.Kernels.Tests.LinearAlgebra;

/// <summary>
/// The kernels' AVX2 paths checked where AVX-512 would be taken: the bit-for-bit comparisons with the plain loops run
/// again with AVX-512 turned off (<see cref="VectorPaths.Avx512Off"/>). Both paths give the same bits, so tests running
/// beside these meanwhile see no difference.
/// </summary>
public class Avx2PathTests
{
    private static void WithoutAvx512(Action check)
    {
        Skip.IfNot(VectorPaths.Avx2, "this CPU has no AVX2 with FMA");
        VectorPaths.Avx512Off = true;
        try
        {
            check();
        }
        finally
        {
            VectorPaths.Avx512Off = false;
        }
    }

    [SkippableFact]
    public void Rank_updates_match_the_plain_loops() => WithoutAvx512(() =>
    {
        var tests = new RankUpdateTests();
        tests.Matches_the_plain_loops_bit_for_bit(1000, 256, 256, 34);
        tests.Matches_the_plain_loops_bit_for_bit(13, 300, 100, 7);
        tests.Matches_the_plain_loops_bit_for_bit(9, 784, 1, 300);
        tests.Receptive_fields_match_their_rows_written_out_and_the_convolution(5, 9, 7, 3, 2, 0, 10);
    });

    [SkippableFact]
    public void Sparse_layers_match_the_plain_loops() => WithoutAvx512(() =>
    {
        var tests = new SparseInputLayerTests();
        tests.Matches_the_plain_loops_bit_for_bit(60, 10, 256, 256, true, 0.5);
        tests.Matches_the_plain_loops_bit_for_bit(35, 7, 37, 130, false, 0.7);
        var convs = new SparseConvLayerTests();
        convs.Matches_the_plain_loops_bit_for_bit_and_the_convolution(8, 2, 14, 14, 64, 64, 3, 1, 1, true, 0.75);
        convs.Matches_the_plain_loops_bit_for_bit_and_the_convolution(5, 5, 6, 7, 37, 130, 3, 1, 1, false, 0.6);
    });

    [SkippableFact]
    public void Float32_products_match_the_plain_loops() => WithoutAvx512(() =>
    {
        var tests = new SingleProductTests();
        tests.Both_ways_gives_the_bits_of_the_plain_loops_at_any_thread_count(256, 300, 48);
        tests.Both_ways_gives_the_bits_of_the_plain_loops_at_any_thread_count(130, 1100, 53);
    });
}
