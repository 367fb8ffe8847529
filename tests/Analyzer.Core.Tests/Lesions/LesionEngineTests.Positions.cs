using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

/// <summary>Outputs with predictions at several positions (docs/method.md §6, outputs): a segmentation map scored pixel by
/// pixel and a sequence scored step by step, against hand-computed accuracies and divergences; where the classes lie.</summary>
public partial class LesionEngineTests
{
    /// <summary>x [N, 2, 1, 3] -> 1x1 conv (identity) -> ReLU -> 1x1 conv (identity): two classes at each of 3 pixels.</summary>
    private static ModelNetwork PixelClassifier() => ModelNetwork.Load(new TinyModel()
        .Input("x", 1, 2, 1, 3)
        .Weight("k1", [2, 2, 1, 1], 1, 0, 0, 1)
        .Weight("k2", [2, 2, 1, 1], 1, 0, 0, 1)
        .Node("Conv", ["x", "k1"], ["a"], "conv1")
        .Node("Relu", ["a"], ["r"])
        .Node("Conv", ["r", "k2"], ["y"], "conv2")
        .Output("y")
        .Save());

    [Fact]
    public void A_segmentation_map_is_scored_pixel_by_pixel()
    {
        var network = PixelClassifier();
        // Two examples; channel 0 then channel 1 over the 3 pixels. Intact predictions: [0, 1, 1] and [0, 0, 1].
        float[] x = [3, 1, 0, 1, 2, 5, /**/ 2, 4, 1, 0, 1, 2];
        var data = ImageDataset.FromFloats("pixels", x, [0, 0], 2, 1, 3, 1).Unlabelled();
        using var engine = new LesionEngine(network, data, Cpu with { OutputChange = true });
        Assert.Equal(new OutputLayout(2, 1, 3), engine.Layout);
        engine.ScoreAgainst(LabelSource.Model);
        Assert.Equal([0, 1, 1, 0, 0, 1], engine.Predictions());
        Assert.Equal(1.0, engine.Baseline().Accuracy);
        int hidden = network.Neurons.NodeSets.Single(s => s.Analysed).Index;
        // Without channel 1 every pixel predicts class 0 (ties included: (0, 0) is class 0): right at 3 of 6 pixels,
        // every class-0 pixel kept and every class-1 pixel lost.
        var outcome = engine.Evaluate([new LesionSet("c1", hidden, [1])])[0];
        Assert.Equal(0.5, outcome.Accuracy);
        Assert.Equal([1.0, 0.0], outcome.ClassAccuracy);
        // Output change: the mean over the 6 pixels of KL(softmax(intact) ‖ softmax(channel 0, 0)).
        double[][] pixels = [[3, 1], [1, 2], [0, 5], [2, 0], [4, 1], [1, 2]];
        double expected = pixels.Average(p => Kl(Softmax(p[0], p[1]), Softmax(p[0], 0)));
        Assert.Equal(expected, outcome.OutputChange, 1e-6);
    }

    [Fact]
    public void Per_example_labels_for_a_model_that_predicts_per_pixel_are_refused_with_the_remedy()
    {
        var network = PixelClassifier();
        var data = ImageDataset.FromFloats("pixels", new float[12], [0, 1], 2, 1, 3, 2);
        using var engine = new LesionEngine(network, data, Cpu);
        var error = Assert.Throws<DataFormatException>(() => engine.Baseline());
        Assert.Contains("predicts at 3 positions", error.Message);
        Assert.Contains("--labels model", error.Message);
    }

    [Theory]
    [InlineData(new long[] { 1, 5 }, "Gemm", 5, 1, 1)]
    [InlineData(new long[] { 1, 5, 1, 1 }, "Conv", 5, 1, 1)]
    [InlineData(new long[] { 1, 3, 4, 2 }, "Conv", 3, 1, 8)]
    [InlineData(new long[] { 1, 6, 4 }, "MatMul", 4, 6, 1)]
    [InlineData(new long[] { 1, 4, 6 }, "Softmax1", 4, 1, 6)]
    public void The_classes_lie_on_the_axis_the_last_layer_or_softmax_gives(long[] shape, string last, int classes, int outer, int inner)
    {
        var m = new TinyModel(13);
        switch (last)
        {
            case "Gemm":
                m.Input("x", 1, 3).Weight("w", [5, 3], new double[15]).Node("Gemm", ["x", "w"], ["y"], "fc", ("transB", 1L));
                break;
            case "Conv":
                m.Input("x", 1, 2, shape[2], shape[3]).Weight("k", [shape[1], 2, 1, 1], new double[shape[1] * 2])
                    .Node("Conv", ["x", "k"], ["c"], "conv").Node("Relu", ["c"], ["y"]);
                break;
            case "MatMul":
                m.Input("x", 1, 6, 3).Weight("w", [3, 4], new double[12]).Node("MatMul", ["x", "w"], ["y"], "fc");
                break;
            default:
                m.Input("x", 1, 4, 6).Weight("w", [6, 6], new double[36]).Node("MatMul", ["x", "w"], ["h"], "fc")
                    .Node("Softmax", ["h"], ["y"], "softmax", ("axis", 1L));
                break;
        }
        var network = ModelNetwork.Load(m.Output("y").Save());
        Assert.Equal(shape, network.Shapes.ShapeOf("y"));
        Assert.Equal(new OutputLayout(classes, outer, inner), OutputLayout.Of(network));
    }
}
