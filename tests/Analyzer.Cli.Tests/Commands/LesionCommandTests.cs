using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class LesionCommandTests
{
    private static byte[] Idx(int[] dims, byte[] data) => IdxBytes.Of(dims, data);

    /// <summary>Two-pathway model (x0 -> h0,h1 -> out0; x1 -> h2,h3 -> out1) and four examples, two per class.</summary>
    private static (string Model, string Data) Fixture()
    {
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "images"), Idx([4, 1, 2], [9, 1, 1, 9, 8, 0, 0, 8]));
        File.WriteAllBytes(Path.Combine(dir, "labels"), Idx([4], [0, 1, 0, 1]));
        return (TinyModels.TwoPathways(), $"idx:{Path.Combine(dir, "images")},{Path.Combine(dir, "labels")}");
    }

    private static string Sets(string json)
    {
        string path = Path.Combine(TempDirectory.Create(), "sets.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Lesioning_one_pathway_loses_its_class()
    {
        var (model, data) = Fixture();
        string output = Path.Combine(TempDirectory.Create(), "lesion.json");
        string sets = Sets("""{"sets": [{"id": "path0", "layer": "fc1", "units": [0, 1]}, {"id": "nothing", "layer": "fc1", "units": []}]}""");
        var run = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--out", output, "--device", "cpu");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("examples").GetInt32());
        Assert.Equal(1.0, root.GetProperty("baseline").GetProperty("accuracy").GetDouble());
        // The preprocessing is recorded: the defaults, pixels / 255 with no mean or std.
        var preprocessing = root.GetProperty("preprocessing");
        Assert.Equal(1.0 / 255, preprocessing.GetProperty("scale").GetDouble(), 15);
        Assert.Equal([0.0], preprocessing.GetProperty("mean").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("cover", preprocessing.GetProperty("images").GetString());
        var path0 = root.GetProperty("sets")[0];
        // Without h0, h1 the first output is 0.01·x1·... < second: every example is called class 1.
        Assert.Equal(0.5, path0.GetProperty("accuracy").GetDouble());
        Assert.Equal(0.5, path0.GetProperty("acc_drop").GetDouble());
        Assert.Equal([1.0, 0.0], path0.GetProperty("class_drops").EnumerateArray().Select(v => v.GetDouble()).Take(2));
        Assert.Equal(1.0, path0.GetProperty("class_range").GetDouble());
        Assert.Equal(0.0, root.GetProperty("sets")[1].GetProperty("acc_drop").GetDouble());
        Assert.Equal("cpu (CPUExecutionProvider)", root.GetProperty("device").GetString());
    }

    [Fact]
    public void A_clustering_file_is_a_sets_file_of_its_clusters()
    {
        var (model, data) = Fixture();
        string dir = TempDirectory.Create(), clustering = Path.Combine(dir, "c.json"), output = Path.Combine(dir, "lesion.json");
        Assert.Equal(0, CliRun.Of("cluster", model, "-k", "2", "--out", clustering).ExitCode);
        var run = CliRun.Of("lesion", model, "--data", data, "--sets", clustering, "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        // The network-wide 2-cut separates the pathways: fc1's clusters are units {0, 1} and {2, 3}, one set each (the
        // input and output node sets are not analysable and give none).
        var sets = doc.RootElement.GetProperty("sets").EnumerateArray().ToList();
        Assert.Equal(["fc1/c0", "fc1/c1"], sets.Select(s => s.GetProperty("id").GetString()));
        Assert.All(sets, s => Assert.Equal(2, s.GetProperty("size").GetInt32()));
        Assert.All(sets, s => Assert.Equal(0.5, s.GetProperty("acc_drop").GetDouble()));
    }

    [Fact]
    public void A_file_without_sets_is_refused()
    {
        var (model, data) = Fixture();
        var run = CliRun.Of("lesion", model, "--data", data, "--sets", Sets("""{"sets": []}"""), "--out", Path.Combine(TempDirectory.Create(), "l.json"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("no sets", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Examples_draws_a_seeded_subset_of_the_test_split_and_says_so()
    {
        var (model, data) = Fixture();
        string sets = Sets("""{"sets": [{"id": "path0", "layer": "fc1", "units": [0, 1]}]}""");
        JsonElement Run(string seed)
        {
            string output = Path.Combine(TempDirectory.Create(), "lesion.json");
            var run = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--out", output, "--device", "cpu", "--examples", "3", "--seed", seed);
            Assert.True(run.ExitCode == 0, run.Error);
            return JsonDocument.Parse(File.ReadAllText(output)).RootElement.Clone();
        }
        var first = Run("0");
        Assert.Equal(3, first.GetProperty("examples").GetInt32());
        Assert.Equal(4, first.GetProperty("examples_drawn_from").GetInt32());
        // Three of the four examples, all still classified right: baseline accuracy 1.
        Assert.Equal(1.0, first.GetProperty("baseline").GetProperty("accuracy").GetDouble());
        Assert.Equal(first.GetRawText(), Run("0").GetRawText());
        var all = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--out", Path.Combine(TempDirectory.Create(), "l.json"),
            "--device", "cpu", "--examples", "0");
        Assert.Equal(2, all.ExitCode);
        Assert.Contains("--examples: 0", all.Error);
    }

    [Fact]
    public void An_unknown_layer_names_the_sets_file_and_the_choices()
    {
        var (model, data) = Fixture();
        string sets = Sets("""{"sets": [{"id": "s", "layer": "fc7", "units": [0]}]}""");
        var run = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--out", Path.Combine(TempDirectory.Create(), "l.json"));
        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"error: {sets}: set 's': layer 'fc7' is not an analysable node set; expected one of: fc1", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void A_unit_outside_the_layer_is_reported()
    {
        var (model, data) = Fixture();
        string sets = Sets("""{"sets": [{"id": "s", "layer": "fc1", "units": [4]}]}""");
        var run = CliRun.Of("lesion", model, "--data", data, "--sets", sets, "--out", Path.Combine(TempDirectory.Create(), "l.json"));
        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"error: {sets}: set 's': unit 4 is outside layer 'fc1' (0..3)", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Data_of_the_wrong_shape_is_reported()
    {
        var (model, _) = Fixture();
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "images"), Idx([1, 2, 2], [1, 2, 3, 4]));
        File.WriteAllBytes(Path.Combine(dir, "labels"), Idx([1], [0]));
        string sets = Sets("""{"sets": [{"id": "a", "layer": "fc1", "units": [0]}]}""");
        var run = CliRun.Of("lesion", model, "--data", $"idx:{dir}/images,{dir}/labels", "--sets", sets, "--out", Path.Combine(dir, "l.json"));
        Assert.Equal(3, run.ExitCode);
        string error = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"error: {dir}/images: examples of 1x2x2 (4 values) do not fit input ", error);
        Assert.Contains("[N, 2] (2 values per example)", error);
    }
}
