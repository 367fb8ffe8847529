using System.Text.Json;
using Analyzer.Onnx;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;
using Analyzer.Reporting.Images;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class VisualizeCommandTests
{
    private static string Sets(string json)
    {
        string path = Path.Combine(TempDirectory.Create(), "sets.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Writes_scores_and_pngs_that_reproduce_the_score_up_to_8_bit_rounding()
    {
        string model = RepositoryFiles.Model("fmnist-cnn.onnx");
        string sets = Sets("""{"sets": [{"id": "a", "layer": "/conv3/Conv", "units": [2, 7]}, {"id": "b/c", "layer": "/fc1/Gemm", "units": [5]}]}""");
        string output = TempDirectory.Create();
        var run = CliRun.Of("visualize", model, "--sets", sets, "--out", output, "--device", "cpu", "--steps", "30");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "scores.json")));
        var entries = doc.RootElement.GetProperty("sets").EnumerateArray().ToList();
        Assert.Equal(["a", "b/c"], entries.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(30, doc.RootElement.GetProperty("steps").GetInt32());

        // Independently: read each PNG, run the model on pixels/255, sum |pre-activation| over the units.
        var file = OnnxModelFile.Load(model);
        var points = Analyzer.Core.Activations.PreActivationPoints.Find(Analyzer.Core.Networks.ModelNetwork.Load(model));
        foreach (var entry in entries)
        {
            string image = entry.GetProperty("image").GetString()!;
            Assert.DoesNotContain("/", image);
            var (rgb, height, width) = PngFiles.Read(Path.Combine(output, image));
            Assert.Equal((28, 28), (height, width));
            var pixels = Enumerable.Range(0, 784).Select(k => rgb[3 * k] / 255f).ToArray();
            string layer = entry.GetProperty("layer").GetString()!;
            string tensor = points.Single(p => p.NodeSet.Name == layer).Tensor;
            var extra = ExtraOutputs.Add(file, [tensor]);
            using var session = OnnxSession.Create(extra.Bytes, model, ExecutionDevice.Cpu);
            var (values, shape) = session.Run([new TensorInput(extra.Inputs[0], pixels, [1, 1, 28, 28])], [tensor])[0];
            int spatial = values.Length / (int)shape[1];
            double score = entry.GetProperty("units").EnumerateArray().Sum(u =>
                Enumerable.Range(0, spatial).Sum(s => (double)Math.Abs(values[u.GetInt32() * spatial + s])));
            double expected = entry.GetProperty("score").GetDouble();
            Assert.True(Math.Abs(score - expected) <= 0.01 * expected, $"{layer}: PNG gives {score}, scores.json says {expected}");
            double entropy = entry.GetProperty("entropy").GetDouble();
            Assert.InRange(entropy, 0, Math.Log(10));
        }
    }

    [SkippableFact]
    public void A_colour_model_gets_rgb_pngs_in_its_pixel_domain()
    {
        // The WinML CIFAR-10 CNN expects (p/255 - 0.5)/0.5 per RGB channel: the PNG holds p, and the model run on
        // (png/255 - 0.5)/0.5 gives the score back.
        string? shared = RepositoryFiles.SharedData;
        Skip.If(shared is null, "../shared/data is not beside this checkout");
        string model = Path.Combine(shared!, "onnx-real", "cifar10-winml-tutorial-cnn.onnx");
        string sets = Sets("""{"sets": [{"id": "g", "layer": "Gemm_11", "units": [3, 4]}]}""");
        string output = TempDirectory.Create();
        var run = CliRun.Of("visualize", model, "--sets", sets, "--out", output, "--device", "cpu", "--steps", "40", "--mean", "0.5", "--std", "0.5");
        Assert.Equal(0, run.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "scores.json")));
        var entry = doc.RootElement.GetProperty("sets")[0];
        var (rgb, height, width) = PngFiles.Read(Path.Combine(output, "g.png"));
        Assert.Equal((32, 32), (height, width));
        var planar = new float[3 * 1024];
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 1024; k++) planar[c * 1024 + k] = (rgb[3 * k + c] / 255f - 0.5f) / 0.5f;
        Assert.False(Enumerable.Range(0, 1024).All(k => rgb[3 * k] == rgb[3 * k + 1] && rgb[3 * k + 1] == rgb[3 * k + 2]), "the PNG is grey");
        var point = Analyzer.Core.Activations.PreActivationPoints.Find(Analyzer.Core.Networks.ModelNetwork.Load(model)).Single(p => p.NodeSet.Name == "Gemm_11");
        var extra = ExtraOutputs.Add(OnnxModelFile.Load(model), [point.Tensor]);
        using var session = OnnxSession.Create(extra.Bytes, model, ExecutionDevice.Cpu);
        var (values, shape) = session.Run([new TensorInput(extra.Inputs[0], planar, [1, 3, 32, 32])], [point.Tensor])[0];
        int spatial = values.Length / (int)shape[1];
        double score = new[] { 3, 4 }.Sum(u => Enumerable.Range(0, spatial).Sum(s => (double)Math.Abs(values[u * spatial + s])));
        double expected = entry.GetProperty("score").GetDouble();
        Assert.True(Math.Abs(score - expected) <= 0.01 * expected, $"PNG gives {score}, scores.json says {expected}");
    }

    [Fact]
    public void Same_seed_same_images_other_seed_other_images()
    {
        string model = RepositoryFiles.Model("fmnist-mlp.onnx");
        string sets = Sets("""{"sets": [{"id": "u", "layer": "/fc3/Gemm", "units": [1, 2]}]}""");
        string Run(int seed)
        {
            string output = TempDirectory.Create();
            Assert.Equal(0, CliRun.Of("visualize", model, "--sets", sets, "--out", output, "--device", "cpu", "--steps", "10", "--seed", $"{seed}").ExitCode);
            return Convert.ToHexString(File.ReadAllBytes(Path.Combine(output, "u.png")));
        }
        Assert.Equal(Run(0), Run(0));
        Assert.NotEqual(Run(0), Run(1));
    }

    [Fact]
    public void A_missing_sets_file_is_one_line_naming_it()
    {
        string missing = Path.Combine(TempDirectory.Create(), "none.json");
        var run = CliRun.Of("visualize", RepositoryFiles.Model("fmnist-mlp.onnx"), "--sets", missing, "--out", TempDirectory.Create());
        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"error: {missing}: file not found", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void A_model_with_an_operator_it_cannot_differentiate_is_named()
    {
        string model = TinyModels.WithLpPool();
        string sets = Sets("""{"sets": [{"id": "u", "layer": "fc1", "units": [0]}]}""");
        var run = CliRun.Of("visualize", model, "--sets", sets, "--out", TempDirectory.Create(), "--device", "cpu");
        Assert.Equal(3, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"error: {model}: node 'lp' (LpPool): feature visualisation cannot differentiate it", line);
    }
}
