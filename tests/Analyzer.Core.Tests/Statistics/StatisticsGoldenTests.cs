using System.Text.Json;
using Analyzer.Core.Statistics;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Statistics;

/// <summary>Statistics against golden values from scipy, statsmodels and mpmath (tools/golden/statistics.py), to 1e-9.</summary>
public class StatisticsGoldenTests
{
    private static readonly JsonElement Golden =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "statistics.json"))).RootElement;

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Fact]
    public void Fisher_statistic_and_p_value_match_scipy_combine_pvalues()
    {
        foreach (var c in Golden.GetProperty("fisher").EnumerateArray())
        {
            double[] p = Doubles(c.GetProperty("p"));
            double f = FisherCombination.Statistic(p);
            Assert.True(Tolerance.Statistics.Equal(f, c.GetProperty("fisher").GetDouble()), $"F for n = {p.Length}: {f}");
            double pv = FisherCombination.PValue(f, p.Length);
            Assert.True(Tolerance.Statistics.Equal(pv, c.GetProperty("p_value").GetDouble()),
                $"p for n = {p.Length}: {pv} vs {c.GetProperty("p_value").GetDouble()}");
        }
    }

    [Fact]
    public void Even_degree_chi_square_survival_matches_scipy()
    {
        foreach (var c in Golden.GetProperty("chi2").EnumerateArray())
        {
            double x = c.GetProperty("x").GetDouble();
            int m = c.GetProperty("m").GetInt32();
            double expected = c.GetProperty("sf").GetDouble();
            double actual = FisherCombination.ChiSquareSurvivalEvenDof(x, m);
            Assert.True(new Tolerance(1e-12, 1e-9).Equal(actual, expected), $"sf({x}; {2 * m}) = {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Bates_cdf_matches_the_irwin_hall_formula_in_high_precision()
    {
        foreach (var c in Golden.GetProperty("bates").EnumerateArray())
        {
            double mean = c.GetProperty("mean").GetDouble();
            int r = c.GetProperty("r").GetInt32();
            double expected = c.GetProperty("cdf").GetDouble();
            double actual = IrwinHall.MeanCdf(mean, r);
            Assert.True(Tolerance.Statistics.Equal(actual, expected), $"R = {r}, mean {mean}: {actual}, expected {expected}");
        }
    }

    [Fact]
    public void Benjamini_Hochberg_matches_statsmodels_fdr_bh()
    {
        foreach (var c in Golden.GetProperty("bh").EnumerateArray())
        {
            double[] p = Doubles(c.GetProperty("p"));
            var result = BenjaminiHochberg.Apply(p, 0.05);
            Assert.Equal(c.GetProperty("reject").EnumerateArray().Select(v => v.GetBoolean()), result.Significant);
            Tolerance.Statistics.AssertAll(result.Adjusted, Doubles(c.GetProperty("adjusted")), "adjusted");
            if (result.CriticalP is { } critical)
                Assert.Equal(p.Where((_, i) => result.Significant[i]).Max(), critical);
            else
                Assert.DoesNotContain(true, result.Significant);
        }
    }
}
