using Analyzer.Core.Results;
using Analyzer.Reporting.Tables;

namespace Analyzer.Reporting.Tests.Tables;

public class SignificanceMarkingTests
{
    private static MeasureEntry Entry(double p, double effect, bool beyond, string? degenerate = null) =>
        new(1.5, p, new EffectEntry(effect, 0.01, false, beyond), 10, false, [], [], Degenerate: degenerate);

    [Fact]
    public void Degenerate_cells_leave_the_correction_and_effects_follow_their_row()
    {
        var partitioning = new PartitioningEntry("weights", "network", 3.0, new Dictionary<string, MeasureEntry>
        {
            ["acc-drop"] = Entry(0.01, 1.5, beyond: true),
            ["class-range"] = Entry(0.03, 1.4, beyond: true),
            ["vis-score"] = Entry(0.9, 1.3, beyond: true),
            ["softmax-entropy"] = Entry(0.95, 0.5, beyond: true, degenerate: "saturated"),
        });
        var (significance, marked) = SignificanceMarking.Apply([partitioning]);
        // BH at α = 0.05 over the three usable p-values, sorted 0.01, 0.03, 0.9 against 0.0167, 0.0333, 0.05: the
        // first two pass, critical p 0.03. Had the degenerate 0.95 counted, the thresholds would be 0.0125, 0.025, ...
        // and only 0.01 would pass.
        Assert.Equal(0.03, significance.CriticalP);
        var m = marked[0].Measures;
        Assert.True(m["acc-drop"].Significant);
        Assert.True(m["acc-drop"].Effect.Notable);
        Assert.True(m["class-range"].Significant);
        Assert.True(m["class-range"].Effect.Notable);
        Assert.False(m["vis-score"].Significant);
        Assert.False(m["vis-score"].Effect.Notable);
        Assert.True(m["vis-score"].Effect.BeyondTwoSe);
        Assert.False(m["softmax-entropy"].Significant);
        Assert.False(m["softmax-entropy"].Effect.Notable);

        var results = new ResultsDocument("m.onnx", "sha", "v", "data", 0, 16, 19, "cpu", 100, 0.9, significance, marked);
        string table = ResultsTable.Markdown(results);
        Assert.Contains("**1.500 ± 0.010**", table);
        Assert.Contains("**1.400 ± 0.010**", table);
        Assert.Contains("1.300 ± 0.010 †", table);
        Assert.Contains("0.500 ± 0.010 *degenerate*", table);
        Assert.DoesNotContain("**0.500", table);
        Assert.Contains("- weights, network, softmax-entropy: saturated", table);
    }
}
