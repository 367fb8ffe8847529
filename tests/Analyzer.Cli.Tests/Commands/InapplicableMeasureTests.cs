using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// A default measure that cannot apply to a model is left out with the reason, said once and recorded; a named one
/// stops the run (the case: a model with an LpPool, which has no vector-Jacobian product yet). Old files run every
/// measure: an opset-8 model (as CNTK and the older model zoo wrote them), whose gradient graph is written at opset 9.
/// </summary>
public class InapplicableMeasureTests
{
    /// <summary>An opset-8 MLP (x[4] -> 6 -> ReLU -> 3 classes) and a 40-example IDX dataset of 2x2 images for it.</summary>
    private static (string Model, string Data) Opset8()
    {
        var rng = new Random(3);
        double[] W(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        string model = new TinyModel(opset: 8).Input("x", 1, 4)
            .Weight("W1", [6, 4], W(24)).Weight("b1", [6], W(6)).Weight("W2", [3, 6], W(18)).Weight("b2", [3], W(3))
            .Node("Gemm", ["x", "W1", "b1"], ["h"], "fc1", ("transB", 1L)).Node("Relu", ["h"], ["r"])
            .Node("Gemm", ["r", "W2", "b2"], ["y"], "fc2", ("transB", 1L)).Output("y")
            .Save();
        string dir = TempDirectory.Create();
        var pixels = Enumerable.Range(0, 40 * 4).Select(_ => (byte)rng.Next(256)).ToArray();
        File.WriteAllBytes(Path.Combine(dir, "images"), IdxBytes.Of([40, 2, 2], pixels));
        File.WriteAllBytes(Path.Combine(dir, "labels"), IdxBytes.Of([40], Enumerable.Range(0, 40).Select(i => (byte)(i % 3)).ToArray()));
        return (model, $"idx:{dir}/images,{dir}/labels");
    }

    /// <summary>x[1, 2, 2] -> LpPool 2x2 -> two 3x3 convs (4 channels each, pad 1) with ReLUs -> Flatten -> 3 classes: the
    /// LpPool lies on the way from the input to every pre-activation.</summary>
    private static string WithLpPool()
    {
        var rng = new Random(6);
        double[] W(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        return new TinyModel().Input("x", 1, 1, 2, 2)
            .Weight("K1", [4, 1, 3, 3], W(36)).Weight("K2", [4, 4, 3, 3], W(144)).Weight("W", [3, 4], W(12))
            .Node("LpPool", ["x"], ["p"], "pool", ("kernel_shape", new long[] { 2, 2 }))
            .Node("Conv", ["p", "K1"], ["c1"], "conv1", ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "K2"], ["c2"], "conv2", ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c2"], ["r2"])
            .Node("Flatten", ["r2"], ["f"])
            .Node("Gemm", ["f", "W"], ["y"], "fc", ("transB", 1L)).Output("y")
            .Save();
    }

    [Fact]
    public void Default_measures_that_cannot_apply_are_left_out_with_the_reason()
    {
        var (_, data) = Opset8();
        string model = WithLpPool();
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", model, "--data", data, "--edges", "weights", "--scope", "network", "-k", "2", "--random", "3",
            "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Single(run.ErrorLines, l => l.StartsWith("note: vis-score, softmax-entropy left out: feature visualisation cannot run on this model",
            StringComparison.Ordinal));
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        var skipped = results.RootElement.GetProperty("skipped_measures").EnumerateArray().ToList();
        Assert.Equal(["vis-score", "softmax-entropy"], skipped.Select(s => s.GetProperty("measure").GetString()));
        Assert.All(skipped, s => Assert.Contains("LpPool has no vector-Jacobian product", s.GetProperty("reason").GetString()));
        Assert.Equal(["acc-drop", "class-range"],
            results.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(m => m.Name));
        Assert.Contains("Left out: vis-score, softmax-entropy (feature visualisation cannot run on this model", File.ReadAllText(Path.Combine(output, "table.md")));
    }

    [Fact]
    public void A_named_measure_that_cannot_apply_stops_the_run()
    {
        var (_, data) = Opset8();
        var run = CliRun.Of("analyze", WithLpPool(), "--data", data, "--measures", "acc-drop,vis-score", "-k", "2", "--out", TempDirectory.Create(),
            "--device", "cpu");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("LpPool", Assert.Single(run.ErrorLines, l => l.StartsWith("error:", StringComparison.Ordinal)));
    }

    [Fact]
    public void An_opset_8_model_runs_every_default_measure()
    {
        var (model, data) = Opset8();
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", model, "--data", data, "--edges", "weights", "--scope", "network", "-k", "2", "--random", "3",
            "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.False(results.RootElement.TryGetProperty("skipped_measures", out _));
        Assert.Equal(["acc-drop", "class-range", "vis-score", "softmax-entropy"],
            results.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(m => m.Name));
    }

    /// <summary>
    /// An IR-version-3 file (every initializer also a graph input, as ONNX 1.1 wrote them) at opset 9 whose Reshape the
    /// exporter fixed to one example goes through lesions and visualisation: the repaired target and the gradient graph's
    /// constants are initializers of Analyzer's own, which IR version 3 would require as inputs too; the rewrites write
    /// IR version 4.
    /// </summary>
    [Fact]
    public void An_ir_version_3_file_with_a_repaired_reshape_is_lesioned_and_visualised()
    {
        var rng = new Random(4);
        double[] W(int n) => Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        string model = new TinyModel(opset: 9).Input("x", 1, 1, 2, 2)
            .Ints("fixed", 1, 4).Weight("W1", [6, 4], W(24)).Weight("b1", [6], W(6)).Weight("W2", [3, 6], W(18)).Weight("b2", [3], W(3))
            .Node("Reshape", ["x", "fixed"], ["flat"], "flatten")
            .Node("Gemm", ["flat", "W1", "b1"], ["h"], "fc1", ("transB", 1L)).Node("Relu", ["h"], ["r"])
            .Node("Gemm", ["r", "W2", "b2"], ["y"], "fc2", ("transB", 1L)).Output("y")
            .IrVersion(3)
            .Save();
        var (_, data) = Opset8();
        string output = TempDirectory.Create();
        var run = CliRun.Of("analyze", model, "--data", data, "--edges", "weights", "--scope", "network", "-k", "2", "--random", "3",
            "--measures", "acc-drop,vis-score", "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal(["acc-drop", "vis-score"],
            results.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(m => m.Name));
    }
}
