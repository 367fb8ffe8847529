using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;

namespace Analyzer.Core.Tests.Pipeline;

/// <summary>The verdict in words (docs/method.md §7, verdict), on hand-made rows of each finding.</summary>
public class ResultsVerdictTests
{
    private static MeasureEntry Row(double fisher, double p, bool significant, double effect, double se, bool notable, int n, string? degenerate = null) =>
        new(fisher, p, new EffectEntry(effect, se, notable, notable), n, significant, [], [], Degenerate: degenerate);

    private static ResultsDocument Results(params (string Edges, string Measure, MeasureEntry Entry)[] rows) =>
        new("models/net.onnx", "sha", "0", "mnist", 0, 16, 19, "cpu", 1000, 0.97, new SignificanceEntry("BH", 0.05, 0.01),
            rows.GroupBy(r => r.Edges).Select(g => new PartitioningEntry(g.Key, "network", 1,
                g.ToDictionary(r => r.Measure, r => r.Entry))).ToList());

    [Fact]
    public void Each_row_is_classified_by_its_significance_and_effect()
    {
        Assert.Equal(Finding.Specialised, ResultsVerdict.Classify(Row(2.3, 1e-4, true, 1.4, 0.1, true, 20)));
        Assert.Equal(Finding.Some, ResultsVerdict.Classify(Row(1.6, 0.003, true, 1.02, 0.05, false, 20)));
        Assert.Equal(Finding.NoneDetectable, ResultsVerdict.Classify(Row(0.9, 0.6, false, 1.3, 0.1, false, 20)));
        Assert.Equal(Finding.Degenerate, ResultsVerdict.Classify(Row(0.9, 0.6, false, 1, 0, false, 20, "every value is 0")));
        Assert.Equal(Finding.NotMeasured, ResultsVerdict.Classify(Row(double.NaN, double.NaN, false, double.NaN, double.NaN, false, 0)));
    }

    [Fact]
    public void The_summary_says_where_each_measure_shows_specialisation_with_the_rows_numbers()
    {
        var results = Results(
            ("weights", "acc-drop", Row(2.3, 1.2e-5, true, 1.4, 0.1, true, 20)),
            ("weights", "vis-score", Row(0.95, 0.55, false, 1.25, 0.1, false, 2)),
            ("activations", "acc-drop", Row(1.6, 0.003, true, 1.02, 0.05, false, 12)),
            ("activations", "vis-score", Row(0.9, 0.6, false, 1, 0, false, 20, "every value is 0")));
        var verdict = ResultsVerdict.Of(results);
        Assert.Equal("net on mnist: acc-drop: specialised in 1 of 2 partitionings (weights network), some specialisation in 1 of 2 " +
                     "partitionings (activations network); vis-score: no specialisation detectable.", verdict.Summary);
        Assert.Equal(["specialised", "none-detectable", "some", "degenerate"], verdict.Cells.Select(c => c.Finding));
        Assert.Equal("acc-drop, weights, network: specialised: F = 2.300 (p = 1.2e-5, n = 20), significant after the correction, and " +
                     "effect 1.400 ± 0.100, beyond 2 SE", verdict.Cells[0].Sentence);
        // Two subclusters with 19 controls could have given P(χ²₄ ≥ 4 ln 40) = (1 + 2 ln 40)/1600 = 0.00524 (every
        // percentile at ½/20): the row was not too small.
        Assert.Equal("vis-score, weights, network: none detectable at this n: F = 0.950 (p = 0.55, n = 2); 2 subclusters could have given " +
                     "p down to 0.00524", verdict.Cells[1].Sentence);
        Assert.Contains("is within 2 SE of 1, so a few subclusters stand out", verdict.Cells[2].Sentence);
        Assert.Equal("vis-score, activations, network: cannot show specialisation here (every value is 0)", verdict.Cells[3].Sentence);
    }

    [Fact]
    public void A_row_too_small_to_reach_alpha_says_so_and_warnings_are_counted()
    {
        var results = Results(("weights", "acc-drop", Row(1.2, 0.3, false, 1.1, 0.2, false, 1))) with
        {
            Random = 4, Warnings = [new WarningEntry("k", "m")],
        };
        var verdict = ResultsVerdict.Of(results);
        Assert.EndsWith("1 subcluster can give p ≥ 0.1 at best, never significant", verdict.Cells[0].Sentence);
        Assert.EndsWith(" 1 warning qualifies these results.", verdict.Summary);
    }
}
