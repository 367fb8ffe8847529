using Analyzer.Core.Networks;
using System.Text.Json;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Kernels.Spearman;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Activations;

/// <summary>
/// Activation graphs against PyTorch forward hooks + scipy.stats.spearmanr (tools/golden/spearman.py): the Spearman
/// kernel on PyTorch's own activations to 1e-9; our ONNX Runtime capture against PyTorch's activations to float
/// rounding; and the whole adjacency to 1e-4 — float rounding between the two engines reorders a few near-tied values,
/// which moves r² by ~1e-5.
/// </summary>
public class SpearmanGoldenTests
{
    private static JsonElement Golden(string model) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "spearman.json"))).RootElement.GetProperty(model);

    private static (double[] Values, int Examples, int Units) PyTorchActivations(string model)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", $"activations-{Path.GetFileNameWithoutExtension(model)}.npy");
        var array = NpyArray.Parse(File.ReadAllBytes(path), path);
        return (Enumerable.Range(0, array.Count).Select(i => array.Value(i)).ToArray(), array.Shape[0], array.Shape[1]);
    }

    private static void AssertPairs(JsonElement golden, double[] r2, int units, double tolerance)
    {
        foreach (var pair in golden.GetProperty("pairs").EnumerateArray())
        {
            int i = pair[0].GetInt32(), j = pair[1].GetInt32();
            double value = pair[2].GetDouble();
            Assert.True(Math.Abs(r2[(long)i * units + j] - value) <= tolerance, $"r²[{i}, {j}] = {r2[(long)i * units + j]}, scipy {value}");
        }
    }

    [Theory]
    [InlineData("fmnist-mlp.onnx")]
    [InlineData("fmnist-cnn.onnx")]
    public void Kernel_on_pytorch_activations_matches_scipy(string model)
    {
        var (values, examples, units) = PyTorchActivations(model);
        var r2 = new SpearmanCpuKernel().SquaredCorrelations(values, examples, units, out var constant);
        var golden = Golden(model);
        Assert.Equal(golden.GetProperty("invalid").EnumerateArray().Select(e => e.GetInt32()), Enumerable.Range(0, units).Where(u => constant[u]));
        AssertPairs(golden, r2, units, 1e-9);
    }

    [SkippableTheory]
    [InlineData("fmnist-mlp.onnx", new[] { "/fc1/Gemm", "/fc2/Gemm", "/fc3/Gemm", "/fc4/Gemm" })]
    [InlineData("fmnist-cnn.onnx", new[] { "/conv2/Conv", "/conv3/Conv", "/fc1/Gemm" })]
    public void Captured_pre_activations_and_their_graph_match_pytorch_and_scipy(string model, string[] nodeSets)
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        var (expected, examples, units) = PyTorchActivations(model);
        var network = ModelNetwork.Load(RepositoryFiles.Model(model));
        var points = PreActivationPoints.Find(network);
        Assert.Equal(nodeSets, points.Select(p => p.NodeSet.Name));
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        var captured = ActivationCapture.Capture(network, data, Enumerable.Range(0, examples).ToArray(), points,
            Preprocessing.Default, ExecutionDevice.Cpu);
        new Tolerance(1e-4, 1e-4).AssertAll(captured, expected, "pre-activations");
        var r2 = new SpearmanCpuKernel().SquaredCorrelations(captured, examples, units, out _);
        AssertPairs(Golden(model), r2, units, 1e-4);
    }
}
