using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class ScreenCommandTests
{
    private static string Manifest(string json)
    {
        string path = Path.Combine(TempDirectory.Create(), "screen.json");
        File.WriteAllText(path, json.Replace("MODELS", RepositoryFiles.Models.Replace("\\", "/")));
        return path;
    }

    [Fact]
    public void Screens_models_with_and_without_data_and_compares_them()
    {
        string manifest = Manifest("""
            {"models": [{"model": "MODELS/fmnist-mlp.onnx", "data": "fashion-mnist", "name": "mlp"},
                        {"model": "MODELS/fmnist-resnet.onnx", "name": "resnet-weights-only"}],
             "edges": ["weights"], "scope": "network", "measures": ["acc-drop", "vis-score"], "max-subclusters": 1, "clusters": 8,
             "examples": 300, "clusterability": 2, "seed": 3}
            """);
        string output = TempDirectory.Create();
        var run = CliRun.Of("screen", manifest, "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var comparison = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
        var models = comparison.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["mlp", "resnet-weights-only"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(["mlp", "resnet-weights-only"], models.Select(m => m.GetProperty("results").GetString()));
        Assert.Equal("none", models[1].GetProperty("data").GetString());
        Assert.All(models, m => Assert.Equal(8, m.GetProperty("clusterability").GetProperty("k").GetInt32()));
        // Every analyze option of the manifest reached each model's run.
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "mlp", "results.json")));
        Assert.Equal(3, results.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(8, results.RootElement.GetProperty("k").GetInt32());
        Assert.Equal(300, results.RootElement.GetProperty("examples").GetInt32());
        Assert.Equal(1, results.RootElement.GetProperty("max_subclusters").GetInt32());
        Assert.Equal(["acc-drop", "vis-score"], results.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(p => p.Name));
        // The model without data keeps the measure that needs none, and says what it left out.
        using var weightsOnly = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "resnet-weights-only", "results.json")));
        Assert.Equal(["vis-score"], weightsOnly.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(p => p.Name));
        Assert.Contains(run.ErrorLines, l => l.Contains("no data: acc-drop left out for resnet-weights-only"));
    }

    [Theory]
    [InlineData("""{"models": [{"model": "MODELS/fmnist-mlp.onnx"}], "colour": "blue"}""", "'colour' is not an analyze option")]
    [InlineData("""{"models": [{"model": "MODELS/fmnist-mlp.onnx"}], "measures": ["acc-drop"]}""", "every measure asked for needs it")]
    [InlineData("""{"models": []}""", "with at least one model")]
    [InlineData("""{"models": [{"model": "MODELS/fmnist-mlp.onnx"}], "device": "gpu"}""", "'device' is 'gpu'")]
    [InlineData("""{"models": [{"model": "MODELS/nope.onnx"}]}""", "nope.onnx not found")]
    [InlineData("""{"models": [{"model": "MODELS/fmnist-mlp.onnx", "std": 0}]}""", "\"std\" must be non-zero")]
    public void A_bad_manifest_is_one_line(string json, string message)
    {
        var run = CliRun.Of("screen", Manifest(json), "--out", TempDirectory.Create());
        Assert.Equal(3, run.ExitCode);
        Assert.Contains(message, Assert.Single(run.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal)));
    }
}
