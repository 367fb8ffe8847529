using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class ClusterCommandTests
{
    private static int[] Labels(JsonElement layer) => layer.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    [Fact]
    public void Network_scope_separates_the_two_pathways()
    {
        string file = Path.Combine(TempDirectory.Create(), "c.json");
        var run = CliRun.Of("cluster", TinyModels.TwoPathways(), "--scope", "network", "-k", "2", "--out", file);
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().ToArray();
        Assert.Equal(["x", "fc1", "fc2"], layers.Select(l => l.GetProperty("name").GetString()));
        Assert.Equal([0, 1], Labels(layers[0]));
        Assert.Equal([0, 0, 1, 1], Labels(layers[1]));
        Assert.Equal([0, 1], Labels(layers[2]));
        Assert.Equal("network", doc.RootElement.GetProperty("scope").GetString());
        Assert.Equal(2, doc.RootElement.GetProperty("k").GetInt32());
        Assert.True(doc.RootElement.GetProperty("ncut").GetDouble() < 0.05);
    }

    [Fact]
    public void Layer_scope_clusters_each_hidden_layer_with_its_neighbours()
    {
        string file = Path.Combine(TempDirectory.Create(), "c.json");
        var run = CliRun.Of("cluster", TinyModels.TwoPathways(), "--scope", "layer", "-k", "2", "--out", file);
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var layer = Assert.Single(doc.RootElement.GetProperty("layers").EnumerateArray());
        Assert.Equal("fc1", layer.GetProperty("name").GetString());
        Assert.Equal([0, 0, 1, 1], Labels(layer));
    }

    [Fact]
    public void Same_seed_writes_identical_files()
    {
        string a = Path.Combine(TempDirectory.Create(), "a.json"), b = Path.Combine(TempDirectory.Create(), "b.json");
        string model = TestSupport.RepositoryFiles.Model("fmnist-resnet.onnx");
        Assert.Equal(0, CliRun.Of("cluster", model, "-k", "8", "--seed", "3", "--out", a).ExitCode);
        Assert.Equal(0, CliRun.Of("cluster", model, "-k", "8", "--seed", "3", "--out", b).ExitCode);
        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));
    }
}
