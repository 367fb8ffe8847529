using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Networks;

/// <summary>A model whose output is post-processed (an ArgMax of its softmax, a TopK) is analysed up to the scores the
/// post-processing reads (docs/method.md §10, post-processing).</summary>
public class PostProcessingTests
{
    private static TinyModel Classifier() => new TinyModel()
        .Input("x", 1, 2)
        .Weight("W1", [2, 2], 1, 0, 0, 1)
        .Weight("W2", [3, 2], 1, 0, 0, 1, 0.5, 0.5)
        .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
        .Node("Relu", ["a"], ["r"])
        .Node("Gemm", ["r", "W2"], ["logits"], "fc2", ("transB", 1L))
        .Node("Softmax", ["logits"], ["p"], "softmax", ("axis", 1L));

    [Theory]
    [InlineData("ArgMax")]
    [InlineData("TopK")]
    public void The_analysed_graph_ends_at_the_scores_the_post_processing_reads(string op)
    {
        var m = Classifier();
        if (op == "ArgMax")
            m.Node("ArgMax", ["p"], ["class"], "decide", ("axis", 1L), ("keepdims", 0L)).TypedOutput("class", 7);
        else
            m.Ints("k", 2).Node("TopK", ["p", "k"], ["best", "which"], "decide").Output("best").TypedOutput("which", 7);
        var network = ModelNetwork.Load(m.Save());
        Assert.Equal($"node 'decide' ({op})", network.File.PostProcessing);
        Assert.Equal("p", Assert.Single(network.Graph.Outputs).Name);
        Assert.DoesNotContain(network.Graph.Nodes, n => n.OpType == op);
        string? said = null;
        network.NoteAdaptations(s => said = s, fromData: true);
        Assert.Contains($"comes through node 'decide' ({op})", said);
        // Scores of three classes: (x0, x1, (x0 + x1) / 2) through the softmax; lesions score them as any classifier.
        var data = new ImageDataset("tiny", [3, 0, 0, 3, 1, 2, 2, 1], [0, 1, 1, 0], 1, 1, 2, 3);
        using var engine = new LesionEngine(network, data, new LesionOptions { Device = Onnx.Inference.ExecutionDevice.Cpu, Preprocessing = new Preprocessing(1, [0.0], [1.0]) });
        Assert.Equal(new OutputLayout(3, 1, 1), engine.Layout);
        Assert.Equal([0, 1, 1, 0], engine.Predictions());
        Assert.Equal(1.0, engine.Baseline().Accuracy);
    }

    [Fact]
    public void A_model_without_post_processing_is_read_as_it_is()
    {
        var network = ModelNetwork.Load(Classifier().Output("p").Save());
        Assert.Null(network.File.PostProcessing);
        Assert.Equal(["Gemm", "Relu", "Gemm", "Softmax"], network.Graph.Nodes.Select(n => n.OpType));
    }
}
