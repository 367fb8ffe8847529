using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class CompareCommandTests
{
    [Fact]
    public void Two_analyses_side_by_side_with_the_difference_of_their_fisher_statistics()
    {
        string root = TempDirectory.Create();
        string a = Path.Combine(root, "mlp"), b = Path.Combine(root, "resnet"), output = Path.Combine(root, "cmp");
        Assert.Equal(0, CliRun.Of("analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--edges", "weights", "--scope", "network",
            "--measures", "acc-drop", "--max-subclusters", "4", "--examples", "300", "--out", a).ExitCode);
        Assert.Equal(0, CliRun.Of("analyze", RepositoryFiles.Model("fmnist-resnet.onnx"), "--edges", "weights", "--scope", "network",
            "--measures", "acc-drop", "--max-subclusters", "4", "--examples", "300", "-k", "8", "--out", b).ExitCode);
        var run = CliRun.Of("compare", a, b, "--out", output);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| mlp | fashion-mnist |", run.Output);

        using var comparison = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
        var models = comparison.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.Equal(["mlp", "resnet"], models.Select(m => m.GetProperty("name").GetString()));
        Assert.Equal(Path.Combine("..", "mlp"), models[0].GetProperty("results").GetString());
        var difference = Assert.Single(comparison.RootElement.GetProperty("differences").EnumerateArray());
        // The difference is of the two Fisher statistics, each the mean of -ln(percentile) over that model's subclusters.
        double Fisher(string folder)
        {
            using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
            return results.RootElement.GetProperty("partitionings")[0].GetProperty("measures").GetProperty("acc-drop").GetProperty("subclusters")
                .EnumerateArray().Average(s => -Math.Log(s.GetProperty("percentile").GetDouble()));
        }
        Assert.Equal(Fisher(a) - Fisher(b), difference.GetProperty("difference").GetDouble(), 9);
        Assert.InRange(difference.GetProperty("p").GetDouble(), 1.0 / 10_001, 1.0);
        Assert.Equal("weights-network", difference.GetProperty("partitioning").GetString());
    }

    [Fact]
    public void A_folder_without_results_is_one_line()
    {
        var run = CliRun.Of("compare", TempDirectory.Create(), "--out", Path.Combine(TempDirectory.Create(), "cmp"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("results.json: not found", Assert.Single(run.ErrorLines));
    }
}
