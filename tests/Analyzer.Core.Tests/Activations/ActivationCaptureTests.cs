using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Activations;

public class ActivationCaptureTests
{
    [Fact]
    public void A_small_memory_budget_changes_the_batches_but_not_the_values()
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-resnet.onnx"));
        var rng = new Random(3);
        var pixels = new byte[50 * 784];
        rng.NextBytes(pixels);
        var data = new ImageDataset("random", pixels, new int[50], 1, 28, 28, 10);
        var points = PreActivationPoints.Find(network);
        var examples = ActivationCapture.Sample(50, 20, seed: 1);
        var big = ActivationCapture.Capture(network, data, examples, points, Preprocessing.Default, ExecutionDevice.Cpu);
        var small = ActivationCapture.Capture(network, data, examples, points, Preprocessing.Default, ExecutionDevice.Cpu, memoryBudget: new MemoryBudget(1));
        Assert.Equal(big, small);
        Assert.Equal(20 * points.Sum(p => p.NodeSet.Units), big.Length);
    }

    [Fact]
    public void Resnet_pre_activations_are_read_before_each_relu()
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-resnet.onnx"));
        var points = PreActivationPoints.Find(network);
        // Every node set of the ResNet is read after a ReLU (or the global pool of the last block's ReLU): its
        // pre-activation is that ReLU's input, which the exporter names after the Add or the folded conv.
        var producers = network.Graph.Nodes.SelectMany(n => n.Outputs.Select(o => (o, n.OpType))).ToDictionary(p => p.o, p => p.OpType);
        Assert.All(points, p => Assert.Contains(producers[p.Tensor], new[] { "Conv", "Add" }));
        Assert.Contains(points, p => producers[p.Tensor] == "Add");
    }

    [Fact]
    public void Samples_are_seeded_distinct_and_sorted()
    {
        var a = ActivationCapture.Sample(1000, 100, seed: 5);
        Assert.Equal(a, ActivationCapture.Sample(1000, 100, seed: 5));
        Assert.NotEqual(a, ActivationCapture.Sample(1000, 100, seed: 6));
        Assert.Equal(100, a.Distinct().Count());
        Assert.Equal(a.Order(), a);
        Assert.Equal(Enumerable.Range(0, 10), ActivationCapture.Sample(10, 50, seed: 5));
    }
}
