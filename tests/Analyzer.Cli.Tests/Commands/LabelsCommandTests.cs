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
}
