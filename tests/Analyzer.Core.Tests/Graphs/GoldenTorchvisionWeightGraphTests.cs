using Analyzer.Core.Networks;
using System.Text.Json;
using Analyzer.Core.Graphs;
using Analyzer.Core.Datasets;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>
/// Weight graphs of torchvision architectures (tiny MobileNet-V2, EfficientNet and DenseNet, tests/models) against the
/// adjacency computed from the PyTorch modules and state dicts by tools/golden/torchvision_weight_graphs.py, which
/// replays each forward pass on symbolic channels with the method's rules written out for torchvision's modules
/// (depthwise convs, squeeze-and-excitation gates, SiLU, ReLU6, linear bottlenecks, dense concatenation, BatchNorm before
/// and after activations). The ONNX files were exported with torch's constant folding, so most BatchNorms arrive folded
/// into convs by PyTorch while the golden folds them itself.
/// </summary>
public class GoldenTorchvisionWeightGraphTests
{
    [Theory]
    [InlineData("mobilenet-v2-tiny")]
    [InlineData("efficientnet-tiny")]
    [InlineData("densenet-tiny")]
    public void Weight_graph_equals_the_adjacency_from_the_pytorch_state_dict(string model)
    {
        string golden = Path.Combine(AppContext.BaseDirectory, "Golden", $"{model}.weights");
        using var doc = JsonDocument.Parse(File.ReadAllText(golden + ".json"));
        var expectedSets = doc.RootElement.GetProperty("node_sets").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString()!, s.GetProperty("units").GetInt32())).ToList();
        var network = ModelNetwork.Load(RepositoryFiles.TestModel($"{model}.onnx"));
        Assert.Equal(NetworkKind.Cnn, network.Neurons.Kind);
        Assert.Equal(expectedSets, network.Neurons.NodeSets.Select(s => (s.Name, s.Units)).ToList());

        int n = doc.RootElement.GetProperty("n").GetInt32();
        var edges = NpyArray.Parse(File.ReadAllBytes(golden + ".npy"), golden + ".npy");
        int rows = edges.Shape[0];
        var expected = new double[(long)n * n];
        for (int e = 0; e < rows; e++)
        {
            int i = (int)edges.Value(3 * e), j = (int)edges.Value(3 * e + 1);
            expected[(long)i * n + j] = expected[(long)j * n + i] = edges.Value(3 * e + 2);
        }
        var graph = WeightGraph.Build(network.Neurons);
        Assert.Equal(n, graph.N);
        Assert.True(rows > n, "the golden graph has hardly any edges; the comparison would prove little");
        new Tolerance(1e-12, 1e-6).AssertAll(graph.ToDense(), expected, "adjacency");
    }
}
