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
            .Node("Gemm", ["x", "W"], ["a"], "fc1", ("transB", 1L)).Node("TopK", ["a"], ["y"], "top").Output("y").Save();
        AssertOneLine(CliRun.Of("cluster", path, "--out", Path.Combine(TempDirectory.Create(), "c.json")), 3,
            $"error: {path}: node 'top' (TopK): operator is not supported");
    }

    [Fact]
    public void Missing_file()
    {
        AssertOneLine(CliRun.Of("inspect", "no/such/model.onnx"), 3, "error: no/such/model.onnx: file not found");
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
}
