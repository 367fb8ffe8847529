using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// Language models read token ids through an embedding table (tests/models/families, exported by
/// tools/export_families.py: a 2-block causal GPT and a 2-block BERT classifier with an attention mask, width 32, MLP
/// width 128). The embedding rows are not units (docs/method.md §1): the node sets are each block's MLP and BERT's
/// pooler, the weight graph clusters them, and feature visualisation is refused by the embedding's name.
/// </summary>
public class TokenModelTests
{
    [Theory]
    [InlineData("gpt", new[] { 128, 128 })]
    [InlineData("bert", new[] { 128, 128, 32 })]
    public void A_language_model_is_inspected_and_its_weight_graph_clustered(string model, int[] units)
    {
        string path = RepositoryFiles.TestModel($"families/{model}.onnx");
        var inspect = CliRun.Of("inspect", path, "--json");
        Assert.True(inspect.ExitCode == 0, inspect.Error);
        using var doc = JsonDocument.Parse(inspect.Output);
        var sets = doc.RootElement.GetProperty("node_sets").EnumerateArray().Where(s => s.GetProperty("kind").GetString() == "hidden").ToList();
        Assert.Equal(units, sets.Select(s => s.GetProperty("units").GetInt32()));
        Assert.Equal("transformer", doc.RootElement.GetProperty("kind").GetString());
        string refusal = doc.RootElement.GetProperty("visualisation").GetString()!;
        Assert.StartsWith("unsupported", refusal);
        Assert.Contains("'/tok/Gather'", refusal);
        Assert.Contains("the indices vary with the input", refusal);

        string file = Path.Combine(TempDirectory.Create(), "clusters.json");
        var cluster = CliRun.Of("cluster", path, "--edges", "weights", "-k", "4", "--out", file);
        Assert.True(cluster.ExitCode == 0, cluster.Error);
        using var clustering = JsonDocument.Parse(File.ReadAllText(file));
        var labels = clustering.RootElement.GetProperty("layers").EnumerateArray().SelectMany(l => l.GetProperty("labels").EnumerateArray()).ToList();
        Assert.Equal(units.Sum(), labels.Count);
        Assert.All(labels, l => Assert.InRange(l.GetInt32(), 0, 3));
    }

    /// <summary>Lesions of MLP and pooler units equal PyTorch zeroing the same units on the same token ids (golden:
    /// tests/models/families/token-lesions.json from tools/golden_token_lesions.py): GPT against its own predictions at
    /// all 16 positions and against the next token at 15, BERT (ids and attention mask, arrays in an npz) against its labels.</summary>
    [Theory]
    [InlineData("gpt")]
    [InlineData("gpt-next-token")]
    [InlineData("bert")]
    public void Lesions_equal_pytorch_zeroing_the_same_units(string golden) =>
        AssertLesionsMatch("token-lesions.json", golden, golden.Split('-')[0]);

    /// <summary>Runs `lesion` on the sets of <paramref name="key"/> in a golden file of tests/models/families (its data: the
    /// entry's "data" file, else MODEL-data.npz) and compares accuracies (exactly but for float rounding) and output
    /// changes (to 0.1 %) with PyTorch's.</summary>
    public static void AssertLesionsMatch(string goldenFile, string key, string model)
    {
        using var goldens = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.TestModel($"families/{goldenFile}")));
        var expected = goldens.RootElement.GetProperty(key);
        string data = expected.TryGetProperty("data", out var named) ? named.GetString()! : $"{model}-data.npz";
        string dir = TempDirectory.Create();
        string setsFile = Path.Combine(dir, "sets.json");
        File.WriteAllText(setsFile, JsonSerializer.Serialize(new
        {
            sets = expected.GetProperty("sets").EnumerateArray().Select(s => new
            {
                id = s.GetProperty("id").GetString(), layer = s.GetProperty("layer").GetString(),
                units = s.GetProperty("units").EnumerateArray().Select(u => u.GetInt32()).ToArray(),
            }),
        }));
        string output = Path.Combine(dir, "lesion.json");
        var run = CliRun.Of("lesion", RepositoryFiles.TestModel($"families/{model}.onnx"), "--data",
            $"npz:{RepositoryFiles.TestModel($"families/{data}")}", "--sets", setsFile, "--labels", expected.GetProperty("labels").GetString()!,
            "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var lesions = JsonDocument.Parse(File.ReadAllText(output));
        if (expected.TryGetProperty("baseline", out var baseline))
            Assert.Equal(baseline.GetDouble(), lesions.RootElement.GetProperty("baseline").GetProperty("accuracy").GetDouble(), 9);
        var actual = lesions.RootElement.GetProperty("sets").EnumerateArray().ToList();
        Assert.Equal(expected.GetProperty("sets").GetArrayLength(), actual.Count);
        foreach (var (want, got) in expected.GetProperty("sets").EnumerateArray().Zip(actual))
        {
            Assert.Equal(want.GetProperty("id").GetString(), got.GetProperty("id").GetString());
            Assert.Equal(want.GetProperty("accuracy").GetDouble(), got.GetProperty("accuracy").GetDouble(), 9);
            double change = want.GetProperty("output_change").GetDouble();
            Assert.InRange(got.GetProperty("output_change").GetDouble(), change * (1 - 1e-3) - 1e-7, change * (1 + 1e-3) + 1e-7);
        }
    }
}
