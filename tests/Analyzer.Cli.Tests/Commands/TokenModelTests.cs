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
        LesionGolden.AssertMatches("token-lesions.json", golden, golden.Split('-')[0]);
}
