using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>Real exported models: every one is traced, and folding BatchNorm ourselves matches the exporter's folding.</summary>
public class RealModelTests
{
    public static TheoryData<string> SharedModels() => new()
    {
        "onnx-real/cifar10-winml-tutorial-cnn.onnx", "onnx-real/iris-winml-tutorial-mlp.onnx",
        "onnx-light/light_bvlc_alexnet.onnx", "onnx-light/light_inception_v1.onnx", "onnx-light/light_shufflenet.onnx",
        "onnx-light/light_vgg19.onnx", "onnx-light/light_zfnet512.onnx",
    };

    [SkippableTheory]
    [MemberData(nameof(SharedModels))]
    public void Shared_models_are_imported_and_traced(string relative)
    {
        Skip.If(RepositoryFiles.SharedData is null, "../shared/data is absent in this checkout");
        string path = Path.Combine(RepositoryFiles.SharedData!, relative);
        Skip.IfNot(File.Exists(path), $"{relative} is not in ../shared/data");
        var network = ModelNetwork.Load(path);
        Assert.NotEmpty(network.Neurons.NodeSets);
        Assert.All(network.Neurons.NodeSets, s => Assert.True(s.Units > 0));
        var graph = WeightGraph.Build(network.Neurons);
        Assert.Equal(network.Neurons.NodeCount, graph.N);
    }

    [SkippableTheory]
    [InlineData("cifar10-winml-tutorial-cnn.onnx", new[] { 12, 12, 24, 24 })]
    [InlineData("iris-winml-tutorial-mlp.onnx", new[] { 4, 24, 24, 3 })]
    public void Shared_real_models_have_the_documented_node_sets(string file, int[] units)
    {
        Skip.If(RepositoryFiles.SharedData is null, "../shared/data is absent in this checkout");
        var network = ModelNetwork.Load(Path.Combine(RepositoryFiles.SharedData!, "onnx-real", file));
        Assert.Equal(units, network.Neurons.NodeSets.Select(s => s.Units));
    }

    [Theory]
    [InlineData("fmnist-mlp.onnx", new[] { 784, 256, 256, 256, 256, 10 })]
    [InlineData("fmnist-cnn.onnx", new[] { 64, 64, 64 })]
    [InlineData("fmnist-vgg-bn.onnx", new[] { 32, 32, 64, 64 })]
    [InlineData("fmnist-resnet.onnx", new[] { 32, 32, 32, 64, 32, 64 })]
    public void Committed_models_have_the_node_sets_of_their_recipes(string file, int[] units)
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model(file));
        Assert.Equal(units, network.Neurons.NodeSets.Select(s => s.Units));
    }

    [Fact]
    public void Folding_the_unfolded_vgg_gives_the_exporters_folded_graph()
    {
        var unfolded = ModelNetwork.Load(RepositoryFiles.Model("fmnist-vgg-bn.onnx"));
        var folded = ModelNetwork.Load(RepositoryFiles.Model("fmnist-vgg-bn-folded.onnx"));
        Assert.Contains(unfolded.Graph.Nodes, n => n.OpType == "BatchNormalization" && n.Index < 5);
        Assert.Equal(
            unfolded.Graph.Nodes.Count(n => n.OpType == "BatchNormalization"),
            folded.Graph.Nodes.Count(n => n.OpType == "BatchNormalization") + 3);
        var a = WeightGraph.Build(unfolded.Neurons);
        var b = WeightGraph.Build(folded.Neurons);
        new Tolerance(1e-6, 1e-5).AssertAll(a.ToDense(), b.ToDense(), "adjacency");
    }
}
