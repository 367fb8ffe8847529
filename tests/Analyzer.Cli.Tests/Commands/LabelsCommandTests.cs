using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>--labels model and output-change through the verbs that measure: recorded in the files they write.</summary>
public class LabelsCommandTests
{
    [Fact]
    public void Analyze_scores_against_the_models_own_predictions_and_measures_output_change()
    {
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--labels", "model", "--measures", "acc-drop,output-change",
            "--edges", "weights", "--scope", "network", "--examples", "200", "--max-subclusters", "2", "--random", "4", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal("model", results.RootElement.GetProperty("labels").GetString());
        Assert.Equal(1.0, results.RootElement.GetProperty("baseline_accuracy").GetDouble());
        var measures = results.RootElement.GetProperty("partitionings")[0].GetProperty("measures");
        Assert.Equal(["acc-drop", "output-change"], measures.EnumerateObject().Select(m => m.Name));
        var change = measures.GetProperty("output-change").GetProperty("subclusters")[0];
        Assert.True(change.GetProperty("value").GetDouble() > 0);
        Assert.Contains("scored against the intact model's own predictions", File.ReadAllText(Path.Combine(output, "table.md")));
    }

    [Fact]
    public void Lesion_records_the_labels_and_each_sets_output_change()
    {
        string sets = Path.Combine(TempDirectory.Create(), "sets.json");
        File.WriteAllText(sets, """{"sets": [{"id": "a", "layer": "/fc2/Gemm", "units": [0, 1, 2, 3, 4, 5, 6, 7]}, {"id": "none", "layer": "/fc2/Gemm", "units": []}]}""");
        string output = Path.Combine(TempDirectory.Create(), "lesion.json");
        var run = CliRun.Of("lesion", RepositoryFiles.Model("fmnist-mlp.onnx"), "--sets", sets, "--labels", "model", "--examples", "200", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal("model", doc.RootElement.GetProperty("labels").GetString());
        var results = doc.RootElement.GetProperty("sets");
        Assert.True(results[0].GetProperty("output_change").GetDouble() > 0);
        Assert.Equal(0.0, results[1].GetProperty("output_change").GetDouble());
        Assert.Equal(1.0, results[1].GetProperty("accuracy").GetDouble());
    }

    [Fact]
    public void An_unknown_label_source_is_a_usage_error()
    {
        var run = CliRun.Of("analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--labels", "guess", "--out", TempDirectory.Create());
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("guess", run.Error);
    }

    [Fact]
    public void A_baseline_at_chance_on_the_datas_labels_is_said_and_recorded()
    {
        // A three-class model: scores (x0, x1, (x0 + x1) / 2) after an identity layer and a ReLU. The data's labels are
        // never the model's prediction (labels from another label space): baseline 0, below chance 1/3.
        string model = new TinyModel().Input("x", 1, 2)
            .Weight("W1", [2, 2], 1, 0, 0, 1).Weight("W2", [3, 2], 1, 0, 0, 1, 0.5, 0.5)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L)).Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L)).Output("y").Save();
        string data = NpzBytes.Npz(("x.npy", NpzBytes.Float32([6, 2], [3, 0, 0, 3, 2, 1, 1, 2, 4, 0, 0, 4])),
            ("y.npy", NpzBytes.Int64([6], [2, 2, 2, 2, 2, 2])));
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", model, "--data", $"npz:{data}", "--measures", "acc-drop", "--edges", "weights", "-k", "2",
            "--random", "2", "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("baseline accuracy 0.0000 on the data's labels is within a small margin of chance (1/3 = 0.333)", run.Error);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        var warning = results.RootElement.GetProperty("warnings")[0];
        Assert.Equal("baseline-at-chance", warning.GetProperty("kind").GetString());
        Assert.Contains("--labels model", warning.GetProperty("message").GetString());
        Assert.Contains("**Warning:** baseline accuracy 0.0000", File.ReadAllText(Path.Combine(output, "table.md")));
        // --strict: the same run writes its results, then fails with exit 3 naming the first warning.
        string strict = TempDirectory.Create();
        var failed = CliRun.Of("analyze", model, "--data", $"npz:{data}", "--measures", "acc-drop", "--edges", "weights", "-k", "2",
            "--random", "2", "--strict", "--out", strict);
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("within a small margin of chance", failed.Error);
        Assert.Contains("with --strict; the results were written)", failed.Error);
        Assert.True(File.Exists(Path.Combine(strict, "results.json")));
        // Scored against the model's own predictions instead, nothing is said.
        var byModel = CliRun.Of("analyze", model, "--data", $"npz:{data}", "--labels", "model", "--measures", "acc-drop", "--edges", "weights",
            "-k", "2", "--random", "2", "--out", TempDirectory.Create());
        Assert.True(byModel.ExitCode == 0, byModel.Error);
        Assert.DoesNotContain("margin of chance", byModel.Error);
    }
}
