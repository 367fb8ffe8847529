using Analyzer.Core.Results;
using Analyzer.Reporting.Html;
using Analyzer.Reporting.Reproduction;
using Analyzer.Reporting.Tables;
using Analyzer.TestSupport;

namespace Analyzer.Reporting.Tests.Tables;

public class CellTextTests
{
    [Theory]
    [InlineData(1.5, "1.500")]
    [InlineData(0.0, "0.000")]
    [InlineData(0.0005, "0.001")] // the smallest value three decimals still show
    [InlineData(3.4e-7, "3.4e-7")] // an entropy effect of 3.4e-7 is not 0.000
    [InlineData(6.1e-14, "6.1e-14")]
    [InlineData(double.NaN, "–")]
    public void Numbers_too_small_for_three_decimals_keep_two_significant_digits(double x, string expected) =>
        Assert.Equal(expected, CellText.Number(x));

    [Theory]
    [InlineData(0.0145, "0.0145")]
    [InlineData(0.001, "0.001")]
    [InlineData(1.32e-8, "1.32e-8")]
    [InlineData(3.68e-9, "3.68e-9")]
    [InlineData(0.0, "0")]
    public void P_values_read_in_three_significant_digits_without_padded_exponents(double p, string expected) =>
        Assert.Equal(expected, CellText.P(p));

    [Fact]
    public void A_measure_without_finite_values_says_so_and_a_resumed_run_says_its_time_is_not_the_experiments()
    {
        var none = new MeasureEntry(double.NaN, double.NaN, new EffectEntry(double.NaN, double.NaN, false), 0, false, [], []);
        var tiny = new MeasureEntry(2.5, 0.001, new EffectEntry(3.4e-7, 3.4e-7, false, true), 4, false, [], []);
        var row = new PartitioningEntry("weights", "network", 14.6, new Dictionary<string, MeasureEntry>
        {
            ["class-range"] = none,
            ["softmax-entropy"] = tiny,
        });
        var convention = new ReproducedConvention("compat", ["class-range"], new SignificanceEntry("Benjamini-Hochberg", 0.05, null),
            [new ReproducedFamily("mnist-cnn", 2, [row])]);
        string md = ReproductionTable.Markdown(new ReproductionDocument("0.1.0", 0, Fast: true, Seconds: 16, [convention], ResumedAnalyses: 2) { Analyses = 2 });

        Assert.Contains("| CNN, MNIST (2) | weights, network | – | **1.29 (2e-5)** | n/a | 0.84 (0.98) |", md); // acc-drop not run: –
        Assert.Contains("3.4e-7 ± 3.4e-7 †", md);
        Assert.Contains("n/a: no subcluster gave a finite value", md);
        Assert.Contains("class-range: (max-min)/|mean| of the class-wise drops", md);
        Assert.Contains("Wall time 16 s (this invocation; 2 of 2 replicate analyses were finished by an earlier run", md);
        Assert.Equal("– (n = 0)", CellText.Fisher(none));
    }

    [Fact]
    public void The_report_never_breaks_a_line_inside_a_p_value()
    {
        var entry = new MeasureEntry(2.05, 1.77e-5, new EffectEntry(1.2, 0.05, true, true), 25, true, [], []);
        var row = new PartitioningEntry("weights", "network", 13.5, new Dictionary<string, MeasureEntry> { ["acc-drop"] = entry });
        var results = new ResultsDocument("m.onnx", "sha", "v", "data", 0, 16, 19, "cpu", 100, 0.9,
            new SignificanceEntry("Benjamini-Hochberg", 0.05, 1.77e-5), [row]);
        string html = ReportPage.Build(TempDirectory.Create(), results);
        Assert.Contains("2.050 <span class=\"nw\">(p = 1.77e-5, n = 25)</span>", html);
        Assert.Contains(".nw{white-space:nowrap}", html);
    }
}
