using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>Bad input gives exit code 3 and one line naming the file, the node and the problem; never a stack trace.</summary>
public class ErrorTests
{
    private static void AssertOneLine(CliRun run, int code, string start)
    {
        Assert.Equal(code, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith(start, line);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public void Truncated_model()
    {
        byte[] bytes = File.ReadAllBytes(TinyModels.TwoPathways());
        string path = Path.Combine(TempDirectory.Create(), "cut.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length - 7)]);
        AssertOneLine(CliRun.Of("inspect", path), 3, $"error: {path}: not a readable ONNX model");
    }

    [Fact]
    public void Non_onnx_file()
    {
        string path = Path.Combine(TempDirectory.Create(), "readme.onnx");
        File.WriteAllText(path, "# hello\n");
        AssertOneLine(CliRun.Of("graph", path, "--out", TempDirectory.Create()), 3, $"error: {path}: not a readable ONNX model");
    }

    [Fact]
    public void Missing_initializer()
    {
        string path = new TinyModel().Input("x", 1, 3).Node("Gemm", ["x", "W"], ["y"], "fc1").Output("y").Save();
        AssertOneLine(CliRun.Of("inspect", path), 3,
            $"error: {path}: node 'fc1' (Gemm): input 'W' is not produced by any earlier node, initializer or graph input");
    }

    [Fact]
    public void Unsupported_operator()
    {
        string path = new TinyModel().Input("x", 1, 3).Weight("W", [2, 3], 1, 2, 3, 4, 5, 6)
            .Node("Gemm", ["x", "W"], ["a"], "fc1", ("transB", 1L)).Node("Det", ["a"], ["y"], "det").Output("y").Save();
        AssertOneLine(CliRun.Of("cluster", path, "--out", Path.Combine(TempDirectory.Create(), "c.json")), 3,
            $"error: {path}: node 'det' (Det): operator is not supported");
    }

    [Fact]
    public void Missing_file()
    {
        AssertOneLine(CliRun.Of("inspect", "no/such/model.onnx"), 3, "error: no/such/model.onnx: file not found");
    }

    [Fact]
    public void A_directory_given_as_the_model_is_said_to_be_one()
    {
        string dir = TempDirectory.Create();
        AssertOneLine(CliRun.Of("inspect", dir), 3, $"error: {dir}: not a readable ONNX model (a directory; give the .onnx file inside it)");
    }

    [Fact]
    public void Unknown_scope_is_a_usage_error()
    {
        var run = CliRun.Of("cluster", TinyModels.TwoPathways(), "--scope", "layers", "--out", "x.json");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'layers'", run.Error);
    }

    [Fact]
    public void Too_many_clusters_is_a_usage_error()
    {
        var run = CliRun.Of("cluster", TinyModels.TwoPathways(), "-k", "50", "--out", Path.Combine(TempDirectory.Create(), "c.json"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: -k: 50 clusters cannot be formed from 8 connected nodes; use 2 to 8", Assert.Single(run.ErrorLines, l => l.StartsWith("error")));
    }

    [Theory]
    [InlineData("--std", "0", "error: --std: 0; expected non-zero finite numbers")]
    [InlineData("--std", "1,0,1", "error: --std: 1,0,1; expected non-zero finite numbers")]
    [InlineData("--scale", "-1", "error: --scale: -1; expected a positive number")]
    public void Preprocessing_that_cannot_be_applied_is_a_usage_error(string option, string value, string message)
    {
        var run = CliRun.Of("lesion", TinyModels.TwoPathways(), "--data", "mnist", "--sets", "none.json", option, value,
            "--out", Path.Combine(TempDirectory.Create(), "l.json"));
        AssertOneLine(run, 2, message);
    }

    [Fact]
    public void Negative_threads_are_refused_by_the_parser()
    {
        var run = CliRun.Of("cluster", TinyModels.TwoPathways(), "--threads", "-2", "--out", Path.Combine(TempDirectory.Create(), "c.json"));
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --threads: -2; expected 0 (all cores) or a positive count", run.ErrorLines[0]);
    }

    [Fact]
    public void An_output_that_cannot_be_written_is_refused_before_any_work()
    {
        string file = Path.Combine(TempDirectory.Create(), "taken");
        File.WriteAllText(file, "a file, not a folder");
        AssertOneLine(CliRun.Of("analyze", TinyModels.TwoPathways(), "--out", file), 2, $"error: --out: {file} is a file; this verb writes a folder there");
        string folder = TempDirectory.Create();
        AssertOneLine(CliRun.Of("cluster", TinyModels.TwoPathways(), "-k", "2", "--out", folder), 2, $"error: --out: {folder} is a folder; this verb writes a file there");
        Assert.Equal("a file, not a folder", File.ReadAllText(file));
    }

    [Fact]
    public void Aggregating_one_folder_or_one_model_twice_warns()
    {
        string a = TempDirectory.Create(), b = TempDirectory.Create();
        foreach (var (dir, seed) in new[] { (a, "1"), (b, "2") })
            Assert.Equal(0, CliRun.Of("analyze", TinyModels.TwoPathways(), "--edges", "weights", "--scope", "network", "--measures", "vis-score",
                "-k", "2", "--seed", seed, "--out", dir).ExitCode);
        var one = CliRun.Of("aggregate", a, "--out", TempDirectory.Create());
        Assert.Equal(0, one.ExitCode);
        Assert.Contains(one.ErrorLines, l => l.StartsWith("warning: one folder", StringComparison.Ordinal));
        var twice = CliRun.Of("aggregate", a, b, "--out", TempDirectory.Create());
        Assert.Equal(0, twice.ExitCode);
        Assert.Contains(twice.ErrorLines, l => l.StartsWith("warning: ", StringComparison.Ordinal) && l.Contains("analyse the same model"));
    }
}
