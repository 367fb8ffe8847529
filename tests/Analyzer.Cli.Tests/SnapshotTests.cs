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
}
