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

    [Fact]
    public void A_screen_in_three_shards_merged_equals_the_whole_screen()
    {
        string manifest = Manifest("""
            {"models": [{"model": "MODELS/fmnist-mlp.onnx", "data": "fashion-mnist", "name": "mlp"},
                        {"model": "MODELS/fmnist-resnet.onnx", "name": "resnet-weights-only"}],
             "edges": ["weights"], "scope": "network", "measures": ["acc-drop", "vis-score"], "max-subclusters": 4, "clusters": 8,
             "examples": 300, "clusterability": 2, "random": 4}
            """);
        string whole = TempDirectory.Create(), merged = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of("screen", manifest, "--out", whole).ExitCode);
        var shards = Enumerable.Range(0, 3).Select(_ => TempDirectory.Create()).ToArray();
        for (int i = 0; i < shards.Length; i++)
        {
            var shard = CliRun.Of("screen", manifest, "--out", shards[i], "--shard", $"{i}/3");
            Assert.True(shard.ExitCode == 0, shard.Error);
            Assert.False(File.Exists(Path.Combine(shards[i], "comparison.json")));
        }
        var merge = CliRun.Of(["merge", .. shards, "--out", merged]);
        Assert.True(merge.ExitCode == 0, merge.Error);
        foreach (string file in new[] { "comparison.json", "comparison.md", "mlp/results.json", "mlp/clusterability.json",
                     "resnet-weights-only/results.json", "resnet-weights-only/clusterability.json" })
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(merged, file))), $"{file} differs");
        var partial = CliRun.Of(["merge", shards[0], shards[2], "--out", TempDirectory.Create()]);
        Assert.Equal(3, partial.ExitCode);
        Assert.Contains("shard 1/3 of 3 is missing", partial.Error);
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
