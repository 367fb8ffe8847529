using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// Every family of models that are not image classifiers (tests/models/families, tools/export_families.py) through the
/// verbs a user runs: inspect, graph (weights), cluster, lesion and a first-look analyze scored against the model's own
/// predictions with acc-drop and output-change, each with exit 0 and files that say what they should; the GPT also
/// and the GPT exported with a free number of tokens also against the next token.
/// </summary>
public class ModelFamilyTests
{
    private static float[] Noise(int count, int seed) => Enumerable.Range(0, count).Select(i => (float)Math.Sin(seed * 7.3 + i * 0.91)).ToArray();

    /// <summary>The data of a family: a committed npz, or seeded values of the model's input shape.</summary>
    private static string Data(string family) => family switch
    {
        "gpt" or "gpt-dynamic" => RepositoryFiles.TestModel("families/gpt-data.npz"),
        "bert" => RepositoryFiles.TestModel("families/bert-data.npz"),
        "lstm" or "gru" => RepositoryFiles.TestModel("families/sequence-data.npz"),
        "crnn" => RepositoryFiles.TestModel("families/crnn-data.npz"),
        "unet" => NpzBytes.Npz(("x.npy", NpzBytes.Float32([8, 3, 16, 16], Noise(8 * 768, 1)))),
        "kws" => NpzBytes.Npz(("x.npy", NpzBytes.Float32([16, 40], Noise(16 * 40, 2)))),
        _ => NpzBytes.Npz(("x.npy", NpzBytes.Float32([8, 1, 28, 28], Noise(8 * 784, 3)))),
    };

    [Theory]
    [InlineData("unet")]
    [InlineData("crnn")]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("kws")]
    [InlineData("gpt")]
    [InlineData("gpt-dynamic")]
    [InlineData("bert")]
    [InlineData("cnn-opset7")]
    public void Every_verb_runs_on_the_family(string family)
    {
        string model = RepositoryFiles.TestModel($"families/{family}.onnx");
        string data = $"npz:{Data(family)}";
        string dir = TempDirectory.Create();
        // Free sizes (the CRNN's width, the dynamic GPT's number of tokens) are given where no data fix them.
        string[] shape = family switch { "crnn" => ["--input-shape", "1x8x20"], "gpt-dynamic" => ["--input-shape", "16"], _ => [] };

        var inspect = CliRun.Of(["inspect", model, "--json", .. shape]);
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        using var doc = JsonDocument.Parse(inspect.Output);
        var hidden = doc.RootElement.GetProperty("node_sets").EnumerateArray().Where(s => s.GetProperty("kind").GetString() == "hidden").ToList();
        Assert.NotEmpty(hidden);

        var graph = CliRun.Of(["graph", model, "--edges", "weights", "--out", Path.Combine(dir, "graph"), .. shape]);
        Assert.True(graph.ExitCode == 0, graph.Error);
        var cluster = CliRun.Of(["cluster", model, "--edges", "weights", "-k", "2", "--out", Path.Combine(dir, "clusters.json"), .. shape]);
        Assert.True(cluster.ExitCode == 0, cluster.Error);

        string sets = Path.Combine(dir, "sets.json");
        File.WriteAllText(sets, JsonSerializer.Serialize(new
        {
            sets = hidden.Select((s, i) => new { id = $"set{i}", layer = s.GetProperty("name").GetString(), units = new[] { 0, 1 } }),
        }));
        var lesion = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--labels", "model", "--out", Path.Combine(dir, "lesion.json"), "--device", "cpu");
        Assert.True(lesion.ExitCode == 0, lesion.Error);
        using (var lesions = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "lesion.json"))))
        {
            Assert.Equal(1.0, lesions.RootElement.GetProperty("baseline").GetProperty("accuracy").GetDouble());
            Assert.All(lesions.RootElement.GetProperty("sets").EnumerateArray(), s => Assert.InRange(s.GetProperty("output_change").GetDouble(), 0, double.MaxValue));
        }

        foreach (string labels in family.StartsWith("gpt") ? new[] { "model", "next-token" } : ["model"])
        {
            string results = Path.Combine(dir, $"analysis-{labels}");
            var analyze = CliRun.Of("analyze", model, "--data", data, "--labels", labels, "--measures", "acc-drop,output-change",
                "--random", "3", "--max-subclusters", "2", "--samples", "16", "--device", "cpu", "--out", results);
            Assert.True(analyze.ExitCode == 0, analyze.Error);
            using var outcome = JsonDocument.Parse(File.ReadAllText(Path.Combine(results, "results.json")));
            Assert.Equal(labels, outcome.RootElement.GetProperty("labels").GetString());
            Assert.Equal(4, outcome.RootElement.GetProperty("partitionings").GetArrayLength());
        }
    }
}
