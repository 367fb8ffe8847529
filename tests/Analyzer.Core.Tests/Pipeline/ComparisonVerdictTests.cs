using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;
using Analyzer.Core.Statistics;

namespace Analyzer.Core.Tests.Pipeline;

public class ComparisonVerdictTests
{
    private static ComparisonModel Model(string name, params (string Measure, double Fisher, int N, string? Degenerate)[] cells) =>
        new(name, $"models/{name}.onnx", "sha", name, "mnist", 0.97,
            [new ComparisonPartitioning("weights", "network", 1, cells.ToDictionary(c => c.Measure,
                c => new ComparisonCell(c.Fisher, 0.5, false, 1, 0.1, c.Degenerate, c.N, "none-detectable")))], null);

    private static ComparisonDifference Difference(string a, string b, string measure, double difference, double p, bool significant) =>
        new(a, b, "weights-network", measure, difference, p, significant);

    [Fact]
    public void The_smallest_detectable_difference_is_the_two_sample_z_bound_for_unit_variance_terms()
    {
        // Hand-computed: (z 0.975 + z 0.8) · √(1/4 + 1/4) = (1.959964 + 0.841621) · 0.707107 = 1.98101.
        Assert.Equal(1.98101, ComparisonVerdict.SmallestDetectableDifference(4, 4)!.Value, 4);
        Assert.Equal(2.801585 * Math.Sqrt(1.0 / 10 + 1.0 / 40), ComparisonVerdict.SmallestDetectableDifference(10, 40)!.Value, 6);
        Assert.Null(ComparisonVerdict.SmallestDetectableDifference(1, 40));
    }

    [Fact]
    public void A_difference_of_that_size_is_found_by_the_permutation_test_about_four_times_in_five()
    {
        // Under the null each subcluster's −ln(percentile) is Exp(1) (variance 1); shift one side by the stated bound and
        // the comparison's own test should reject at α = 0.05 with power near 0.8 (Monte Carlo, 300 trials).
        const int n = 20;
        double shift = ComparisonVerdict.SmallestDetectableDifference(n, n)!.Value;
        var rng = new Random(7);
        int rejected = 0, trials = 300;
        for (int t = 0; t < trials; t++)
        {
            var a = Enumerable.Range(0, n).Select(_ => Math.Exp(-(-Math.Log(1 - rng.NextDouble()) + shift))).ToList();
            var b = Enumerable.Range(0, n).Select(_ => 1 - rng.NextDouble()).ToList();
            if (FisherDifference.Test(a, b, t, permutations: 999)!.P <= 0.05) rejected++;
        }
        double power = (double)rejected / trials;
        Assert.InRange(power, 0.70, 0.92);
    }

    [Fact]
    public void Two_models_without_a_significant_difference_name_the_higher_F_the_n_and_what_could_have_been_detected()
    {
        var models = new[] { Model("a", ("acc-drop", 1.5, 4, null)), Model("b", ("acc-drop", 1.75, 4, null)) };
        var verdict = ComparisonVerdict.Of(models, [Difference("a", "b", "acc-drop", -0.25, 1, false)]);
        var cell = Assert.Single(verdict.Cells);
        Assert.Equal("b", cell.Highest);
        Assert.False(cell.Detectable);
        Assert.Equal(1.98101, cell.SmallestDetectableDifference!.Value, 4);
        Assert.Equal("acc-drop, weights network: no difference detectable: F = 1.750 (n = 4) for b against 1.500 (n = 4) for a, " +
                     "a difference of 0.250 with p = 1, not significant after the correction; at these n a difference of F below " +
                     "about 1.98 is unlikely to be found (80% power at α = 0.05, before the correction over differences)", cell.Sentence);
        Assert.Equal("2 models compared (a, b): acc-drop: no model detectably more specialised than another (differences of F below " +
                     "about 1.98 could not be expected to show).", verdict.Summary);
    }

    [Fact]
    public void Of_three_models_one_is_more_specialised_only_when_it_differs_significantly_from_each_other()
    {
        var models = new[]
        {
            Model("a", ("acc-drop", 2.4, 20, null), ("class-range", 1.2, 20, null)),
            Model("b", ("acc-drop", 1.1, 20, null), ("class-range", 1.3, 20, null)),
            Model("c", ("acc-drop", 0.9, 10, null), ("class-range", 0.8, 10, "every value is 0")),
        };
        var verdict = ComparisonVerdict.Of(models,
        [
            Difference("a", "b", "acc-drop", 1.3, 1e-4, true), Difference("a", "c", "acc-drop", 1.5, 2e-4, true),
            Difference("b", "c", "acc-drop", 0.2, 0.6, false), Difference("a", "b", "class-range", -0.1, 0.8, false),
        ]);
        var accDrop = verdict.Cells.Single(c => c.Measure == "acc-drop");
        Assert.True(accDrop.Detectable);
        Assert.Equal("a", accDrop.Highest);
        Assert.StartsWith("acc-drop, weights network: highest F first: a 2.400 (n = 20, on its own: none detectable), b 1.100 (n = 20, on its " +
                          "own: none detectable), c 0.900 (n = 10, on its own: none detectable); a is more specialised than each of the others", accDrop.Sentence);
        var classRange = verdict.Cells.Single(c => c.Measure == "class-range");
        Assert.False(classRange.Detectable);
        Assert.Equal("b", classRange.Highest); // c's degenerate cell takes no part
        Assert.Equal("3 models compared (a, b, c): acc-drop: most specialised a in weights network; class-range: no model detectably " +
                     "more specialised than another (differences of F below about 0.89 could not be expected to show).", verdict.Summary);
    }

    [Fact]
    public void A_measure_only_one_model_has_is_not_compared()
    {
        var verdict = ComparisonVerdict.Of([Model("a", ("acc-drop", 1.5, 4, null)), Model("b", ("acc-drop", 1, 4, "every value is 0"))], []);
        Assert.Equal("acc-drop, weights network: not compared: only a measured it", Assert.Single(verdict.Cells).Sentence);
    }
}
