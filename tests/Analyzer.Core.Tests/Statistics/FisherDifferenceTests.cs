using Analyzer.Core.Statistics;

namespace Analyzer.Core.Tests.Statistics;

public class FisherDifferenceTests
{
    [Fact]
    public void Agrees_with_the_exact_permutation_distribution_of_a_small_case()
    {
        double[] a = [0.025, 0.075], b = [0.525, 0.975];
        var result = FisherDifference.Test(a, b, seed: 3, permutations: 40_000)!;
        // Exact: the 6 ways to choose which 2 of the 4 terms are "A"; count those at least as far from 0 as observed.
        var terms = a.Concat(b).Select(p => -Math.Log(p)).ToArray();
        double observed = (terms[0] + terms[1]) / 2 - (terms[2] + terms[3]) / 2;
        int extreme = 0, splits = 0;
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
            {
                double inA = terms[i] + terms[j], rest = terms.Sum() - inA;
                if (Math.Abs(inA / 2 - rest / 2) >= Math.Abs(observed) - 1e-12) extreme++;
                splits++;
            }
        Assert.Equal(observed, result.Difference, 12);
        Assert.Equal((double)extreme / splits, result.P, 0.01); // 2/6: the observed split and its mirror
    }

    [Fact]
    public void Identical_networks_do_not_differ_and_a_specialised_one_does()
    {
        double[] uniform = Enumerable.Range(0, 20).Select(i => 0.025 + 0.05 * i).ToArray();
        Assert.Equal(1.0, FisherDifference.Test(uniform, uniform, seed: 1)!.P);
        double[] specialised = Enumerable.Repeat(0.025, 20).ToArray();
        var result = FisherDifference.Test(specialised, uniform, seed: 1)!;
        Assert.True(result.Difference > 0);
        Assert.True(result.P < 0.001, $"p {result.P}");
        Assert.Null(FisherDifference.Test([0.5], uniform, seed: 1));
    }
}
