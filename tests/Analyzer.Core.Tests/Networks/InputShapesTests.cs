using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Onnx;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Networks;

/// <summary>Free input sizes fixed by the input-shape setting or by the data (docs/method.md §10), and models with
/// several or non-float inputs read through one packed float input (docs/design.md, inputs).</summary>
public class InputShapesTests
{
    [Fact]
    public void The_setting_reads_unnamed_and_named_sizes()
    {
        var single = InputShapeSpec.Parse("3x48x192");
        Assert.Equal([3L, 48, 192], single.Unnamed);
        Assert.Empty(single.ByName);
        var named = InputShapeSpec.Parse("input_ids=16, attention_mask=16");
        Assert.Equal([16L], named.ByName["input_ids"]);
        Assert.Equal([16L], named.ByName["attention_mask"]);
        Assert.Null(named.Unnamed);
        Assert.Equal("input_ids=16, attention_mask=16", named.Describe());
    }

    [Theory]
    [InlineData("3x0", "positive sizes")]
    [InlineData("3xa", "positive sizes")]
    [InlineData("a=3,4", "name each one")]
    [InlineData("a=1,a=2", "input 'a' is given twice")]
    [InlineData("=4", "an empty input name")]
    public void A_malformed_setting_is_a_usage_error_naming_it(string text, string problem)
    {
        var error = Assert.Throws<UsageException>(() => InputShapeSpec.Parse(text));
        Assert.Equal(InputShapeSpec.Setting, error.Setting);
        Assert.Contains(problem, error.Message);
    }

    /// <summary>A dense layer at every position of a sequence of free length T: x [N, T, 4] -> MatMul -> ReLU -> MatMul [N, T, 3].</summary>
    private static string Sequence() => new TinyModel()
        .Input("x", 1, -1, 4)
        .Weight("w1", [4, 5], Enumerable.Range(0, 20).Select(i => (i % 7 - 3) / 4.0).ToArray())
        .Weight("w2", [5, 3], Enumerable.Range(0, 15).Select(i => (i % 5 - 2) / 3.0).ToArray())
        .Node("MatMul", ["x", "w1"], ["h"], "fc1").Node("Relu", ["h"], ["r"]).Node("MatMul", ["r", "w2"], ["y"], "fc2")
        .Output("y").Save();

    [Fact]
    public void A_free_size_is_refused_by_name_with_the_setting_that_fixes_it()
    {
        var error = Assert.Throws<ModelFormatException>(() => ModelNetwork.Load(Sequence()));
        Assert.Contains("input 'x' has free sizes in [N, ?, 4]", error.Message);
        Assert.Contains("--input-shape SIZEx4", error.Message);
    }

    [Fact]
    public void The_setting_fixes_free_sizes_and_must_fit_fixed_ones()
    {
        string path = Sequence();
        var network = ModelNetwork.Load(path, InputShapeSpec.Parse("7x4"));
        Assert.Equal([1L, 7, 3], network.Shapes.ShapeOf("y"));
        Assert.Equal([("x", new long[] { 7, 4 })], network.File.FixedInputs.Select(f => (f.Input, f.Dims)));
        Assert.Equal(new OutputLayout(3, 7, 1), OutputLayout.Of(network));
        var error = Assert.Throws<ModelFormatException>(() => ModelNetwork.Load(path, InputShapeSpec.Parse("7x5")));
        Assert.Contains("input 'x' is fixed at [N, ?, 4]; the input shape 7x5 does not fit it", error.Message);
        Assert.Contains("has no input 'z'", Assert.Throws<ModelFormatException>(() => ModelNetwork.Load(path, InputShapeSpec.Parse("z=7x4"))).Message);
    }

    [Fact]
    public void The_data_fix_only_free_sizes()
    {
        var data = ImageDataset.FromFields("seq", new float[2 * 9 * 4], [new DataField("x", [9, 4])], [0, 0], 3);
        var network = ModelNetwork.Load(Sequence(), InputShapeSpec.FromData(data));
        Assert.Equal([1L, 9, 3], network.Shapes.ShapeOf("y"));
        // Data sizes never override fixed ones: a 9x5 example leaves the 4 fixed, and the data then do not fit.
        var wide = ImageDataset.FromFields("seq", new float[2 * 9 * 5], [new DataField("x", [9, 5])], [0, 0], 3);
        var fixedWidth = ModelNetwork.Load(Sequence(), InputShapeSpec.FromData(wide));
        Assert.Equal([1L, 9, 4], fixedWidth.Shapes.ShapeOf("x"));
        Assert.Throws<DataFormatException>(() => fixedWidth.Fit(wide, null));
    }

    /// <summary>ids int64 [N, 3] and scale float [N, 2]: y = W · [ids, scale] (a Cast of the ids, a Concat, a Gemm).</summary>
    private static string TwoInputs() => new TinyModel()
        .TypedInput("ids", 7, 1, 3)
        .Input("scale", 1, 2)
        .Weight("w", [2, 5], 1, 0, -1, 0.5, 0, 0, 1, 0, 1, -1)
        .Weight("v", [2, 2], 1, 0, 0, 1)
        .Node("Cast", ["ids"], ["f"], "cast", ("to", 1L))
        .Node("Concat", ["f", "scale"], ["c"], "concat", ("axis", 1L))
        .Node("Gemm", ["c", "w"], ["h"], "fc1", ("transB", 1L))
        .Node("Relu", ["h"], ["r"])
        .Node("Gemm", ["r", "v"], ["y"], "fc2", ("transB", 1L))
        .Output("y").Save();

    [Fact]
    public void Several_inputs_are_fed_from_named_arrays_in_any_order()
    {
        var network = ModelNetwork.Load(TwoInputs());
        Assert.Equal(["ids", "scale"], network.File.PackedInputs!.Select(p => p.Name));
        Assert.Single(network.Graph.Inputs);
        // Example e: ids (e, 1, 2), scale (1 - e, e); the same examples with the arrays the other way round.
        float[] inOrder = [0, 1, 2, 1, 0, /**/ 1, 1, 2, 0, 1, /**/ 2, 1, 2, -1, 2];
        float[] reversed = [1, 0, 0, 1, 2, /**/ 0, 1, 1, 1, 2, /**/ -1, 2, 2, 1, 2];
        var a = ImageDataset.FromFields("a", inOrder, [new DataField("ids", [3]), new DataField("scale", [2])], [0, 1, 0], 2).Unlabelled();
        var b = ImageDataset.FromFields("b", reversed, [new DataField("scale", [2]), new DataField("ids", [3])], [0, 1, 0], 2).Unlabelled();
        var fitted = network.Fit(b, null);
        var values = new float[15];
        fitted.FillBatch(0, 3, values, Preprocessing.Default);
        Assert.Equal(inOrder, values);
        using var first = new LesionEngine(network, a, new LesionOptions { Device = Onnx.Inference.ExecutionDevice.Cpu, OutputChange = true });
        using var second = new LesionEngine(network, b, new LesionOptions { Device = Onnx.Inference.ExecutionDevice.Cpu, OutputChange = true });
        Assert.Equal(first.Predictions(), second.Predictions());
        // Hand-computed: h = (ids0 - ids2 + scale0/2, ids1 + scale0 - scale1) -> ReLU -> y = h; predictions per example.
        int[] expected = inOrder.Chunk(5).Select(e =>
        {
            double h0 = Math.Max(0, e[0] - e[2] + 0.5 * e[3]), h1 = Math.Max(0, e[1] + e[3] - e[4]);
            return h1 > h0 ? 1 : 0;
        }).ToArray();
        Assert.Equal(expected, first.Predictions());
        var missing = ImageDataset.FromFields("c", new float[6], [new DataField("scale", [2])], [0, 0, 0], 2);
        Assert.Contains("no array named ids", Assert.Throws<DataFormatException>(() => network.Fit(missing, null)).Message);
    }

    [Fact]
    public void Labels_per_position_score_each_position_and_skip_minus_one()
    {
        var network = ModelNetwork.Load(Sequence(), InputShapeSpec.Parse("2x4"));
        // Two examples of two positions; x at each position is (p, 1 - p, 1, 0) scaled by the example's number.
        var x = new float[2 * 2 * 4];
        for (int e = 0; e < 2; e++)
            for (int p = 0; p < 2; p++)
                (x[(e * 2 + p) * 4], x[(e * 2 + p) * 4 + 1], x[(e * 2 + p) * 4 + 2]) = ((e + 1) * p, (e + 1) * (1 - p), e + 1);
        var data = ImageDataset.FromFields("seq", x, [new DataField("x", [2, 4])], [0, 0], 3, [-1, -1, -1, -1]);
        using var probe = new LesionEngine(network, data, new LesionOptions { Device = Onnx.Inference.ExecutionDevice.Cpu });
        int[] predicted = probe.Predictions();
        // Label position 0 of example 0 right, position 1 of example 1 wrong, skip the other two: accuracy 1/2.
        int[] labels = [predicted[0], -1, -1, (predicted[3] + 1) % 3];
        var labelled = ImageDataset.FromFields("seq", x, [new DataField("x", [2, 4])], [0, 0], 3, labels);
        using var engine = new LesionEngine(network, labelled, new LesionOptions { Device = Onnx.Inference.ExecutionDevice.Cpu });
        Assert.Equal(0.5, engine.Baseline().Accuracy);
    }
}
