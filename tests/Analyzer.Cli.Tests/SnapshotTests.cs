using System.Text.RegularExpressions;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests;

/// <summary>
/// What users read, approved once and guarded against drift (<see cref="Snapshot"/>): every verb's --help, and the
/// table.md and comparison.md of a fixed tiny run (two committed MLPs, weights graph, lesion measures, 200 examples; the
/// lesion counts are exact, so the text is too). reproduction.md is checked where `reproduce --fast` runs
/// (<see cref="Commands.ReproduceCommandTests"/>).
/// </summary>
public class SnapshotTests
{
    public static TheoryData<string> Verbs() =>
        ["inspect", "graph", "cluster", "clusterability", "lesion", "visualize", "analyze", "aggregate", "reproduce", "report", "compare",
            "screen", "merge"];

    /// <summary>Help as the `analyzer` executable prints it (in-process, the usage line names the test host instead).</summary>
    private static string Help(params string[] args) =>
        Regex.Replace(CliRun.Of(args).Output, $@"\b{Regex.Escape(System.CommandLine.RootCommand.ExecutableName)}\b", "analyzer");

    /// <summary>A file's text with the repository's absolute path left out (models are named from it).</summary>
    private static string Relative(string path) => File.ReadAllText(path).Replace(RepositoryFiles.Root + Path.DirectorySeparatorChar, "");

    [Fact]
    public void The_root_help_lists_every_verb() => Snapshot.Match("help/analyzer.txt", Help("--help"));

    [Theory]
    [MemberData(nameof(Verbs))]
    public void Every_verbs_help_reads_as_approved(string verb) => Snapshot.Match($"help/{verb}.txt", Help(verb, "--help"));

    [Fact]
    public void A_tiny_runs_table_and_comparison_read_as_approved()
    {
        string[] options = ["--data", "fashion-mnist", "--edges", "weights", "--scope", "network", "--measures", "acc-drop,class-range",
            "--examples", "200", "--max-subclusters", "2", "--random", "4"];
        string root = TempDirectory.Create();
        string a = Path.Combine(root, "fmnist-mlp"), b = Path.Combine(root, "fmnist-mlp-2");
        var first = CliRun.Of(["analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), .. options, "--out", a]);
        Assert.True(first.ExitCode == 0, first.Error);
        var second = CliRun.Of(["analyze", RepositoryFiles.Model("replicates/fmnist-mlp-2.onnx"), .. options, "--out", b]);
        Assert.True(second.ExitCode == 0, second.Error);
        Snapshot.Match("tiny/table.md", Relative(Path.Combine(a, "table.md")));
        var compare = CliRun.Of("compare", a, b, "--out", Path.Combine(root, "compare"));
        Assert.True(compare.ExitCode == 0, compare.Error);
        Snapshot.Match("tiny/comparison.md", Relative(Path.Combine(root, "compare", "comparison.md")));
    }

    /// <summary>The verdict of a 3-model screen (three Fashion-MNIST MLPs, 4 subclusters each, with clusterability):
    /// which model is more specialised, with n per model and the difference its n could detect.</summary>
    [Fact]
    public void A_three_model_screens_comparison_reads_as_approved()
    {
        string root = TempDirectory.Create(), manifest = Path.Combine(root, "screen.json");
        string models = RepositoryFiles.Models.Replace("\\", "/");
        File.WriteAllText(manifest, $$"""
            {"models": [{"model": "{{models}}/fmnist-mlp.onnx", "data": "fashion-mnist", "name": "mlp-1"},
                        {"model": "{{models}}/replicates/fmnist-mlp-2.onnx", "data": "fashion-mnist", "name": "mlp-2"},
                        {"model": "{{models}}/replicates/fmnist-mlp-3.onnx", "data": "fashion-mnist", "name": "mlp-3"}],
             "edges": ["weights"], "scope": "network", "measures": ["acc-drop", "class-range"], "max-subclusters": 4,
             "examples": 200, "random": 4, "clusterability": 2}
            """);
        var run = CliRun.Of("screen", manifest, "--out", Path.Combine(root, "screen"));
        Assert.True(run.ExitCode == 0, run.Error);
        Snapshot.Match("screen/comparison.md", Relative(Path.Combine(root, "screen", "comparison.md")));
    }

    /// <summary>The verdict of the README's first command, `./analyzer analyze` with every default (the Fashion-MNIST
    /// MLP, its 10 000 test examples, all partitionings and default measures): about a minute on two cores.</summary>
    [Fact]
    public void The_default_runs_verdict_reads_as_approved()
    {
        string dir = TempDirectory.Create();
        var run = CliRun.Of("analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--out", dir); // the default model, named from here
        Assert.True(run.ExitCode == 0, run.Error);
        using var results = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var verdict = results.RootElement.GetProperty("verdict");
        string text = verdict.GetProperty("summary").GetString() + "\n\n" + string.Concat(verdict.GetProperty("cells").EnumerateArray()
            .Select(c => $"- {c.GetProperty("sentence").GetString()}.\n"));
        Snapshot.Match("default/verdict.md", text);
    }
}
