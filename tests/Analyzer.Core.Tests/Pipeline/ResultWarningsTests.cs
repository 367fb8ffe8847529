using Analyzer.Core.Lesions;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;

namespace Analyzer.Core.Tests.Pipeline;

/// <summary>The warnings that travel with results (docs/method.md §7, warnings), on hand-made cases.</summary>
public class ResultWarningsTests
{
    [Theory]
    [InlineData(0.0, 1000, true)]     // SqueezeNet on CIFAR-10 folders
    [InlineData(0.176, 10, true)]     // CNTK's MNIST model on Fashion-MNIST
    [InlineData(0.25, 10, false)]
    [InlineData(0.52, 2, true)]
    [InlineData(0.9, 2, false)]
    public void A_baseline_within_a_small_margin_of_chance_is_a_warning(double accuracy, int classes, bool warned)
    {
        var warning = ResultWarnings.Baseline(LabelSource.Data, accuracy, classes);
        Assert.Equal(warned, warning is not null);
        if (warned) Assert.Equal(ResultWarnings.BaselineAtChance, warning!.Kind);
        // Scored against the model's own predictions the baseline is 1 by construction: nothing to say.
        Assert.Null(ResultWarnings.Baseline(LabelSource.Model, accuracy, classes));
    }

    [Fact]
    public void Labels_using_few_of_the_models_classes_are_from_another_label_space()
    {
        int[] cifar = Enumerable.Range(0, 100).Select(i => i % 10).ToArray();
        Assert.Contains("the data's labels use 10 classes and the model predicts 1000", ResultWarnings.Labels(LabelSource.Data, cifar, 1000)!.Message);
        Assert.Null(ResultWarnings.Labels(LabelSource.Data, cifar, 10));
        Assert.Null(ResultWarnings.Labels(LabelSource.Data, cifar, 16));
        Assert.Null(ResultWarnings.Labels(LabelSource.Model, cifar, 1000));
    }

    [Theory]
    [InlineData(1, 19, 0.025)]                     // one percentile at its floor ½/20: F = ln 40, p = e^(-ln 40)
    [InlineData(2, 4, 0.05605170185988091)]        // floor 0.1: x = 4 ln 10, p = e^(-2 ln 10)(1 + 2 ln 10)
    [InlineData(0, 19, 1.0)]
    public void The_smallest_p_n_subclusters_can_give_is_the_closed_form(int n, int random, double expected) =>
        Assert.Equal(expected, ResultWarnings.SmallestP(n, random), 12);

    private static SubclusterEntry Subcluster(int size) => new("fc1", 0, size, Enumerable.Range(0, size).ToList(), 1, [0.5], 0.5, 1);

    private static MeasureEntry Measure(int n, string? degenerate = null) =>
        new(1, 0.5, new EffectEntry(1, 0, false), n, false, Enumerable.Range(0, n).Select(_ => Subcluster(3)).ToList(),
            [new SkippedEntry("fc1", 7, 1, "fewer than 2 units")], Degenerate: degenerate);

    [Fact]
    public void Rows_too_small_to_reach_alpha_one_unit_clusters_and_degenerate_measures_are_warned_beside_their_rows()
    {
        var results = new ResultsDocument("m.onnx", "sha", "0", "d", 0, 16, 4, "cpu", 100, 0.9, new SignificanceEntry("BH", 0.05, null),
        [
            new PartitioningEntry("weights", "network", 1, new Dictionary<string, MeasureEntry>
            {
                ["acc-drop"] = Measure(2), ["vis-score"] = Measure(9, "every control is 0"),
            }),
        ]);
        var warnings = ResultWarnings.Rows(results);
        Assert.Equal([ResultWarnings.OneUnitClusters, ResultWarnings.TooFewSubclusters, ResultWarnings.DegenerateMeasure], warnings.Select(w => w.Kind));
        Assert.Equal("1 of the 3 clusters in its analysed node sets (7 units) holds one unit: a one-unit cluster is a neuron, not a group, " +
            "and is not analysed; a smaller -k gives groups", warnings[0].Message);
        Assert.Equal(("weights-network", (string?)null), (warnings[0].Partitioning, warnings[0].Measure));
        Assert.Equal("n = 2 subclusters with 4 controls each can give p ≥ 0.0561, never below α = 0.05", warnings[1].Message);
        Assert.Equal("acc-drop", warnings[1].Measure);
        Assert.Equal(("vis-score", "every control is 0"), (warnings[2].Measure, warnings[2].Message));
    }

    [Fact]
    public void A_k_larger_than_a_layer_can_use_is_warned_in_layer_scope_naming_the_layer_and_a_k_that_fits()
    {
        // fc1: 2 analysed subclusters of 3 units and one skipped of 1 = 7 units, fewer than 2k = 8 for k = 4.
        var measures = new Dictionary<string, MeasureEntry> { ["acc-drop"] = Measure(2) };
        var results = new ResultsDocument("m.onnx", "sha", "0", "d", 0, 4, 4, "cpu", 100, 0.9, new SignificanceEntry("BH", 0.05, null),
            [new PartitioningEntry("weights", "layer", 1, measures), new PartitioningEntry("weights", "network", 1, measures)]);
        var warning = Assert.Single(ResultWarnings.Rows(results), w => w.Kind == ResultWarnings.KTooLarge);
        Assert.Equal("weights-layer", warning.Partitioning);
        Assert.Equal("k = 4 is larger than layer fc1 (7 units) can use: layer scope cuts each layer into k clusters, and fewer than " +
                     "2k units leave clusters of one unit; use -k 3 or less", warning.Message);
        var wide = results with { K = 3 };
        Assert.DoesNotContain(ResultWarnings.Rows(wide), w => w.Kind == ResultWarnings.KTooLarge);
    }

    [Fact]
    public void Strict_fails_naming_the_first_warning_and_the_count()
    {
        ResultWarnings.ThrowIfAny([("a", null), ("b", [])]);
        var error = Assert.Throws<Errors.DataFormatException>(() => ResultWarnings.ThrowIfAny(
            [("a", null), ("b", [new WarningEntry("k", "first", "weights-network", "acc-drop"), new WarningEntry("k", "second")])]));
        Assert.Equal("b, weights-network, acc-drop: first (2 warnings with --strict; the results were written)", error.Message);
    }

    [Fact]
    public void A_partitionings_own_warning_travels_in_its_piece_to_the_results()
    {
        var header = new ResultsDocument("m.onnx", "sha", "0", "d", 0, 16, 4, "cpu", 100, 0.9, new SignificanceEntry("BH", 0.05, null), [],
            Warnings: [new WarningEntry(ResultWarnings.LabelSpace, "labels"), new WarningEntry(ResultWarnings.EigenNotConverged, "from the header", "weights-network")]);
        var unconverged = new WarningEntry(ResultWarnings.EigenNotConverged, "stopped at its cycle limit", "weights-network");
        PartitioningPiece Piece(string? shard, IReadOnlyList<WarningEntry>? warnings) => new("key", shard, "weights", "network", 1, 0, [],
            new Dictionary<string, IReadOnlyList<MeasuredUnit>>(), warnings);
        // Two shards of one partitioning: the warning once; the header's partitioning warnings are not carried over.
        var results = ResultsAssembly.Assemble(header, [[Piece("1/2", [unconverged]), Piece("2/2", [unconverged])]]);
        Assert.Equal([ResultWarnings.LabelSpace, ResultWarnings.EigenNotConverged], results.Warnings!.Select(w => w.Kind));
        Assert.Equal("stopped at its cycle limit", results.Warnings![1].Message);
        Assert.Equal([ResultWarnings.LabelSpace], ResultsAssembly.Assemble(header, [[Piece(null, null)]]).Warnings!.Select(w => w.Kind));
    }

    [Fact]
    public void A_replicates_unconverged_partitioning_is_named_in_the_aggregate()
    {
        ResultsDocument Replicate(string model, IReadOnlyList<WarningEntry>? warnings) => new(model, model + "-sha", "0", "d", 0, 16, 4, "cpu", 100, 0.9,
            new SignificanceEntry("BH", 0.05, null), [new PartitioningEntry("weights", "network", 1, new Dictionary<string, MeasureEntry>())],
            Warnings: warnings);
        var aggregate = ReplicateAggregate.Combine([
            ("a/results.json", Replicate("a.onnx", null)),
            ("b/results.json", Replicate("b.onnx", [new WarningEntry(ResultWarnings.EigenNotConverged, "stopped at its cycle limit", "weights-network")])),
        ]);
        var warning = Assert.Single(aggregate.Warnings!);
        Assert.Equal((ResultWarnings.EigenNotConverged, "b.onnx: stopped at its cycle limit", "weights-network"),
            (warning.Kind, warning.Message, warning.Partitioning));
        // The verdict names every replicate, not the last one's file.
        Assert.StartsWith("2 replicates (a, b) on d: ", aggregate.Verdict!.Summary);
    }
}
