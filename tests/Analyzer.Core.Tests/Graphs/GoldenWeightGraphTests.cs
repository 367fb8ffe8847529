using Analyzer.Core.Networks;
using System.Text.Json;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>
/// Weight graphs of the committed models against golden values assembled independently from the same ONNX files with
/// onnx + numpy + scipy (tools/golden/weight_graphs.py): every node's degree and the smallest Laplacian eigenvalues.
/// </summary>
public class GoldenWeightGraphTests
{
    private sealed record Golden(int N, double[] Degrees, double[] Eigenvalues);

    private static Golden Load(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "weight_graphs.json")));
        var e = doc.RootElement.GetProperty(model);
        return new Golden(e.GetProperty("n").GetInt32(),
            e.GetProperty("degrees").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            e.GetProperty("eigenvalues").EnumerateArray().Select(v => v.GetDouble()).ToArray());
    }

    [Theory]
    [InlineData("fmnist-mlp.onnx")]
    [InlineData("fmnist-cnn.onnx")]
    [InlineData("fmnist-vgg-bn-folded.onnx")]
    [InlineData("fmnist-vgg-bn.onnx")] // unfolded: our folding must reproduce the exporter's graph
    public void Degrees_and_spectrum_match_the_independent_computation(string model)
    {
        var golden = Load(model.Replace("fmnist-vgg-bn.onnx", "fmnist-vgg-bn-folded.onnx"));
        var graph = WeightGraph.Build(ModelNetwork.Load(RepositoryFiles.Model(model)).Neurons);
        Assert.Equal(golden.N, graph.N);
        new Tolerance(1e-9, 1e-5).AssertAll(graph.Degrees(), golden.Degrees, "degrees");
        var partition = SpectralPartitioner.Partition(graph, golden.Eigenvalues.Length, new SpectralOptions { Restarts = 1 }, seed: 0);
        new Tolerance(1e-6, 1e-5).AssertAll(partition.Eigenvalues, golden.Eigenvalues, "eigenvalues");
    }
}
