using System.Text.Json;
using Analyzer.Reporting.Files;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// Files as ONNX Runtime's optimiser rewrites them (fused com.microsoft operators: FusedMatMul, BiasGelu, FusedGemm,
/// FusedConv), written by ONNX Runtime itself from the family models: the fused operators are expanded at load, so the
/// node sets and the weight graph are those of the file before optimisation, and lesions of the optimised GPT and BERT
/// still equal PyTorch's.
/// </summary>
public class FusedOperatorTests
{
    [Theory]
    [InlineData("gpt", "", "--input-shape", "input_ids=16")]
    [InlineData("bert", "", "--input-shape", "input_ids=16,attention_mask=16")]
    [InlineData("unet", "FusedConv")]
    [InlineData("kws", "FusedGemm")]
    [InlineData("cnn-opset7", "FusedConv")]
    public void An_optimised_file_has_the_node_sets_and_weight_graph_of_the_original(string model, string fused, params string[] extra)
    {
        string original = RepositoryFiles.TestModel($"families/{model}.onnx");
        string optimised = OrtOptimised.Write(original);
        if (fused.Length > 0)
            Assert.True(Onnx.OnnxModelFile.Load(optimised).ExpandedOperators.ContainsKey(fused), $"ONNX Runtime wrote no {fused}");
        var units = new List<int[]>();
        var graphs = new List<double[]>();
        foreach (string path in new[] { original, optimised })
        {
            var inspect = CliRun.Of(["inspect", path, "--json", .. extra]);
            Assert.True(inspect.ExitCode == 0, inspect.Error);
            using var doc = JsonDocument.Parse(inspect.Output);
            units.Add(doc.RootElement.GetProperty("node_sets").EnumerateArray().Select(s => s.GetProperty("units").GetInt32()).ToArray());
            string dir = TempDirectory.Create();
            var graph = CliRun.Of(["graph", path, "--edges", "weights", "--format", "dense", "--out", dir, .. extra]);
            Assert.True(graph.ExitCode == 0, graph.Error);
            graphs.Add(NpyFile.ReadMatrix(Path.Combine(dir, "adjacency.npy")).Values);
        }
        Assert.Equal(units[0], units[1]);
        Assert.Equal(graphs[0].Length, graphs[1].Length);
        for (int i = 0; i < graphs[0].Length; i++)
            Assert.True(Math.Abs(graphs[0][i] - graphs[1][i]) <= 1e-5 * (1 + Math.Abs(graphs[0][i])), $"entry {i}: {graphs[0][i]} and {graphs[1][i]}");
    }

    [Theory]
    [InlineData("gpt")]
    [InlineData("gpt-next-token")]
    [InlineData("bert")]
    public void Lesions_of_an_optimised_language_model_equal_pytorchs(string golden)
    {
        string model = golden.Split('-')[0];
        LesionGolden.AssertMatches("token-lesions.json", golden, model, OrtOptimised.Write(RepositoryFiles.TestModel($"families/{model}.onnx")));
    }
}
