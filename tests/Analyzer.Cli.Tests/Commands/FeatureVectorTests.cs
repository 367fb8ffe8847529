using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// A model over feature vectors with one sigmoid output (a wake-word detector's shape), analysed on unlabelled samples
/// of its traffic (an npz with x only): the lesions are scored against its own predictions and output-change needs no
/// labels. Vectors that do not fit are refused with both shapes, never resized.
/// </summary>
public class FeatureVectorTests
{
    private const int Features = 24;

    /// <summary>x[24] -> 16 -> ReLU -> 12 -> ReLU -> 1 -> Sigmoid, random weights.</summary>
    private static string Detector()
    {
        var rng = new Random(5);
        double[] W(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        return new TinyModel().Input("x", 1, Features)
            .Weight("W1", [16, Features], W(16 * Features)).Weight("W2", [12, 16], W(12 * 16)).Weight("W3", [1, 12], W(12))
            .Node("Gemm", ["x", "W1"], ["h1"], "fc1", ("transB", 1L)).Node("Relu", ["h1"], ["r1"])
            .Node("Gemm", ["r1", "W2"], ["h2"], "fc2", ("transB", 1L)).Node("Relu", ["h2"], ["r2"])
            .Node("Gemm", ["r2", "W3"], ["z"], "fc3", ("transB", 1L)).Node("Sigmoid", ["z"], ["p"]).Output("p")
            .Save();
    }

    private static string Traffic(int features, int examples = 120)
    {
        var rng = new Random(9);
        return NpzBytes.Npz(("x.npy", NpzBytes.Float32([examples, features], Enumerable.Range(0, examples * features).Select(_ => (float)(rng.NextDouble() * 4 - 2)))));
    }

    [Fact]
    public void Unlabelled_feature_vectors_are_scored_against_the_models_own_predictions()
    {
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", Detector(), "--data", $"npz:{Traffic(Features)}", "--measures", "acc-drop,output-change",
            "--edges", "weights", "--scope", "network", "-k", "4", "--random", "4", "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal("model", results.RootElement.GetProperty("labels").GetString());
        Assert.Equal(120, results.RootElement.GetProperty("examples").GetInt32());
        var measures = results.RootElement.GetProperty("partitionings")[0].GetProperty("measures");
        Assert.True(measures.GetProperty("output-change").GetProperty("n").GetInt32() > 0);
    }

    [Fact]
    public void Data_labels_asked_of_unlabelled_data_are_a_usage_error()
    {
        var run = CliRun.Of("analyze", Detector(), "--data", $"npz:{Traffic(Features)}", "--labels", "data", "--measures", "acc-drop",
            "-k", "4", "--out", TempDirectory.Create(), "--device", "cpu");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--labels: data;", Assert.Single(run.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Vectors_of_another_length_are_refused_with_both_shapes()
    {
        var run = CliRun.Of("analyze", Detector(), "--data", $"npz:{Traffic(100)}", "--measures", "acc-drop", "-k", "4",
            "--out", TempDirectory.Create(), "--device", "cpu");
        Assert.Equal(3, run.ExitCode);
        string error = Assert.Single(run.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("examples of 100 values", error);
        Assert.Contains($"[N, {Features}]", error);
    }
}
