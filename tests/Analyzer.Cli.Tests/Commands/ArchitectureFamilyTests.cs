using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// Every torchvision family (tests/models, exported by tools/export_torchvision.py --tiny), and opset-17 and float16
/// exports of five of them, through the verbs a user runs first: inspect, graph, cluster in both scopes, lesion (on six
/// grey 8 x 8 images, fitted to the model's input) and visualize (one set per node set, two steps), each ending with exit
/// 0 and files that say what they should.
/// </summary>
public class ArchitectureFamilyTests
{
    public static TheoryData<string, string> Models() => new()
    {
        { "vgg-bn-tiny", "cnn" }, { "resnet-tiny", "cnn" }, { "resnext-tiny", "cnn" }, { "mobilenet-v2-tiny", "cnn" },
        { "mobilenet-v3-tiny", "cnn" }, { "efficientnet-tiny", "cnn" }, { "mnasnet-tiny", "cnn" }, { "regnet-tiny", "cnn" },
        { "densenet-tiny", "cnn" }, { "shufflenet-v2-tiny", "cnn" }, { "squeezenet-tiny", "cnn" }, { "googlenet-tiny", "cnn" },
        { "inception-v3-tiny", "cnn" }, { "convnext-tiny", "cnn" }, { "vit-tiny", "transformer" },
        { "mobilenet-v2-tiny-op17", "cnn" }, { "efficientnet-tiny-op17", "cnn" }, { "convnext-tiny-op17", "cnn" },
        { "vit-tiny-op17", "transformer" }, { "densenet-tiny-op17", "cnn" },
        { "mobilenet-v2-tiny-op13-fp16", "cnn" }, { "efficientnet-tiny-op13-fp16", "cnn" }, { "convnext-tiny-op13-fp16", "cnn" },
        { "vit-tiny-op13-fp16", "transformer" }, { "densenet-tiny-op13-fp16", "cnn" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Inspect_graph_cluster_and_visualize_succeed(string model, string kind)
    {
        string path = RepositoryFiles.TestModel($"{model}.onnx");
        string dir = TempDirectory.Create();

        var inspect = CliRun.Of("inspect", path, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        using var doc = JsonDocument.Parse(inspect.Output);
        Assert.Equal(kind, doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal("supported", doc.RootElement.GetProperty("visualisation").GetString());
        Assert.All(doc.RootElement.GetProperty("operators").EnumerateArray(), o => Assert.NotEqual("unknown", o.GetProperty("flow").GetString()));
        int nodes = doc.RootElement.GetProperty("nodes").GetInt32();
        var sets = doc.RootElement.GetProperty("node_sets").EnumerateArray().ToList();

        var graph = CliRun.Of("graph", path, "--edges", "weights", "--out", Path.Combine(dir, "graph"));
        Assert.True(graph.ExitCode == 0, graph.Error);
        Assert.True(File.Exists(Path.Combine(dir, "graph", "adjacency.npy")));

        foreach (string scope in new[] { "network", "layer" })
        {
            string file = Path.Combine(dir, $"{scope}.json");
            var cluster = CliRun.Of("cluster", path, "--edges", "weights", "--scope", scope, "-k", "4", "--out", file);
            Assert.True(cluster.ExitCode == 0, cluster.Error);
            using var clustering = JsonDocument.Parse(File.ReadAllText(file));
            int labelled = clustering.RootElement.GetProperty("layers").EnumerateArray().Sum(l => l.GetProperty("labels").GetArrayLength());
            Assert.Equal(scope == "network" ? nodes : sets.Sum(s => s.GetProperty("kind").GetString() == "hidden" ? s.GetProperty("units").GetInt32() : 0), labelled);
        }

        // One set of up to 8 units per node set: every kind of node set this family has is visualised.
        string setsFile = Path.Combine(dir, "sets.json");
        File.WriteAllText(setsFile, JsonSerializer.Serialize(new
        {
            sets = sets.Where(s => s.GetProperty("kind").GetString() == "hidden").Select((s, i) => new
            {
                id = $"set{i}", layer = s.GetProperty("name").GetString(),
                units = Enumerable.Range(0, Math.Min(8, s.GetProperty("units").GetInt32())).ToArray(),
            }),
        }));
        string data = Path.Combine(dir, "data");
        Directory.CreateDirectory(data);
        var pixels = new Random(3).GetItems(Enumerable.Range(0, 256).Select(v => (byte)v).ToArray(), 6 * 64);
        File.WriteAllBytes(Path.Combine(data, "images"), IdxBytes.Of([6, 8, 8], pixels));
        File.WriteAllBytes(Path.Combine(data, "labels"), IdxBytes.Of([6], [0, 1, 2, 0, 1, 2]));
        var lesion = CliRun.Of("lesion", path, "--sets", setsFile, "--data", $"idx:{data}/images,{data}/labels", "--out",
            Path.Combine(dir, "lesion.json"), "--device", "cpu");
        Assert.True(lesion.ExitCode == 0, lesion.Error);
        using (var lesions = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "lesion.json"))))
        {
            var outcomes = lesions.RootElement.GetProperty("sets").EnumerateArray().ToList();
            Assert.Equal(sets.Count(s => s.GetProperty("kind").GetString() == "hidden"), outcomes.Count);
            Assert.All(outcomes, o => Assert.InRange(o.GetProperty("accuracy").GetDouble(), 0, 1));
            Assert.Equal(6, lesions.RootElement.GetProperty("examples").GetInt32());
        }

        var visualize = CliRun.Of("visualize", path, "--sets", setsFile, "--out", Path.Combine(dir, "vis"), "--steps", "2", "--device", "cpu");
        Assert.True(visualize.ExitCode == 0, visualize.Error);
        using var scores = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "vis", "scores.json")));
        Assert.All(scores.RootElement.GetProperty("sets").EnumerateArray(), s => Assert.True(double.IsFinite(s.GetProperty("score").GetDouble())));
        Assert.Equal(sets.Count(s => s.GetProperty("kind").GetString() == "hidden"), scores.RootElement.GetProperty("sets").GetArrayLength());
        if (model.EndsWith("fp16", StringComparison.Ordinal))
            Assert.Contains("computed in float32", visualize.Error);
    }
}
