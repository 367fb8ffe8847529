using System.Text.Json;

namespace Analyzer.Cli.Tests.Commands;

public class InspectCommandTests
{
    [Fact]
    public void Inspect_prints_layers_and_node_sets()
    {
        var run = CliRun.Of("inspect", TinyModels.TwoPathways());
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("MLP", run.Output);
        Assert.Contains("fc1", run.Output);
        Assert.Contains("Node sets: 8 nodes", run.Output);
    }

    [Fact]
    public void Inspect_json_lists_node_sets_in_canonical_order()
    {
        var run = CliRun.Of("inspect", TinyModels.TwoPathways(), "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        var sets = doc.RootElement.GetProperty("node_sets").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString(), s.GetProperty("kind").GetString(), s.GetProperty("units").GetInt32(), s.GetProperty("offset").GetInt32()))
            .ToArray();
        Assert.Equal([("x", "input", 2, 0), ("fc1", "hidden", 4, 2), ("fc2", "output", 2, 6)], sets);
        Assert.Equal(["fc1"], doc.RootElement.GetProperty("analysed").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("mlp", doc.RootElement.GetProperty("kind").GetString());
        Assert.Equal("supported", doc.RootElement.GetProperty("visualisation").GetString());
    }

    [Fact]
    public void Inspect_names_the_layers_a_cnn_node_set_comes_from()
    {
        var run = CliRun.Of("inspect", TinyModels.Residual(), "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        var sets = doc.RootElement.GetProperty("node_sets").EnumerateArray().ToDictionary(
            s => s.GetProperty("name").GetString()!,
            s => string.Join(" + ", s.GetProperty("produced_by").EnumerateArray().Select(e => e.GetString())));
        // Named after their readers; the units are the outputs of the layers before them, both sides of the Add for c2.
        Assert.Equal(new Dictionary<string, string> { ["c1"] = "stem", ["c2"] = "stem + c1", ["out"] = "c2" }, sets);
        var table = CliRun.Of("inspect", TinyModels.Residual());
        Assert.Contains("outputs of", table.Output);
    }

    [Fact]
    public void Inspect_says_why_a_model_cannot_be_visualised()
    {
        var run = CliRun.Of("inspect", TinyModels.WithLpPool(), "--json");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Output);
        Assert.StartsWith("unsupported: node 'lp' (LpPool): feature visualisation cannot differentiate it",
            doc.RootElement.GetProperty("visualisation").GetString());
    }
}
