using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// Recurrent models (tests/models/families, tools/export_families.py): an LSTM and a GRU sequence classifier, and a
/// CRNN text recogniser (convs, a bidirectional LSTM reading [T, N, 12] time-major, a classifier per step, free width).
/// Their node sets, weight graphs and lesions; lesions equal PyTorch zeroing the same units (golden:
/// tests/models/families/sequence-lesions.json from tools/golden_sequence_lesions.py).
/// </summary>
public class RecurrentModelTests
{
    [Theory]
    [InlineData("lstm", "lstm")]
    [InlineData("gru", "gru")]
    [InlineData("crnn", "crnn")]
    public void Lesions_equal_pytorch_zeroing_the_same_units(string key, string model) =>
        LesionGolden.AssertMatches("sequence-lesions.json", key, model);

    [Theory]
    [InlineData("lstm", "/rnn/LSTM", 10)]
    [InlineData("gru", "/rnn/GRU", 10)]
    public void The_hidden_units_are_a_node_set_clustered_with_their_recurrent_edges(string model, string set, int units)
    {
        string path = RepositoryFiles.TestModel($"families/{model}.onnx");
        var inspect = CliRun.Of("inspect", path, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        using var doc = JsonDocument.Parse(inspect.Output);
        var hidden = doc.RootElement.GetProperty("node_sets").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "hidden");
        Assert.Equal(set, hidden.GetProperty("name").GetString());
        Assert.Equal(units, hidden.GetProperty("units").GetInt32());
        Assert.Contains("recurrent layers are not differentiated", doc.RootElement.GetProperty("visualisation").GetString());
        string file = Path.Combine(TempDirectory.Create(), "clusters.json");
        var cluster = CliRun.Of("cluster", path, "--edges", "weights", "--scope", "layer", "-k", "4", "--out", file);
        Assert.True(cluster.ExitCode == 0, cluster.Error);
    }

    [Fact]
    public void A_free_width_is_refused_without_a_shape_and_taken_from_the_option()
    {
        string path = RepositoryFiles.TestModel("families/crnn.onnx");
        var refused = CliRun.Of("inspect", path);
        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("input 'line' has free sizes in [N, 1, 8, ?]; give them with --input-shape 1x8xSIZE", refused.Error);
        var inspect = CliRun.Of("inspect", path, "--json", "--input-shape", "1x8x32");
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        using var doc = JsonDocument.Parse(inspect.Output);
        Assert.Equal([8, 12, 20], doc.RootElement.GetProperty("node_sets").EnumerateArray().Select(s => s.GetProperty("units").GetInt32()));
        var clusterability = CliRun.Of("clusterability", path, "--input-shape", "1x8x32", "-k", "4", "--shuffles", "2",
            "--out", Path.Combine(TempDirectory.Create(), "clusterability.json"));
        Assert.True(clusterability.ExitCode == 0, clusterability.Error);
        // An activation graph takes the width from the examples it samples.
        var graph = CliRun.Of("graph", path, "--edges", "activations", "--data", $"npz:{RepositoryFiles.TestModel("families/crnn-data.npz")}",
            "--samples", "16", "--out", TempDirectory.Create());
        Assert.True(graph.ExitCode == 0, graph.Error);
        var wrong = CliRun.Of("inspect", path, "--input-shape", "3x8x32");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("is fixed at [N, 1, 8, ?]; the input shape 3x8x32 does not fit it", wrong.Error);
    }
}
