using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class ClusterabilityCommandTests
{
    [Fact]
    public void Writes_the_contract_and_the_same_file_for_the_same_seed()
    {
        string dir = TempDirectory.Create(), a = Path.Combine(dir, "a.json"), b = Path.Combine(dir, "b.json");
        string model = RepositoryFiles.Model("fmnist-resnet.onnx");
        var run = CliRun.Of("clusterability", model, "-k", "4", "--shuffles", "3", "--shuffle", "nonzero", "--seed", "5", "--out", a);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("percentile", run.Output);
        Assert.Equal(0, CliRun.Of("clusterability", model, "-k", "4", "--shuffles", "3", "--shuffle", "nonzero", "--seed", "5", "--out", b).ExitCode);
        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));

        using var doc = JsonDocument.Parse(File.ReadAllText(a));
        var root = doc.RootElement;
        Assert.Equal(["model", "model_sha256", "analyzer_version", "seed", "k", "ncut", "labels", "shuffle", "shuffled_ncuts", "z", "percentile",
            "reading"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, root.GetProperty("k").GetInt32());
        Assert.Equal("nonzero", root.GetProperty("shuffle").GetString());
        var cuts = root.GetProperty("shuffled_ncuts").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(3, cuts.Length);
        double ncut = root.GetProperty("ncut").GetDouble();
        Assert.InRange(ncut, 0, 4);
        // The same n-cut as `cluster` finds on the unshuffled graph with the same options.
        string clustering = Path.Combine(dir, "c.json");
        Assert.Equal(0, CliRun.Of("cluster", model, "-k", "4", "--seed", "5", "--out", clustering).ExitCode);
        using var c = JsonDocument.Parse(File.ReadAllText(clustering));
        Assert.Equal(c.RootElement.GetProperty("ncut").GetDouble(), ncut);
        var labels = root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var perLayer = c.RootElement.GetProperty("layers").EnumerateArray().SelectMany(l => l.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(perLayer, labels);
        double mean = cuts.Average(), sd = Math.Sqrt(cuts.Sum(x => (x - mean) * (x - mean)) / 2);
        Assert.Equal((ncut - mean) / sd, root.GetProperty("z").GetDouble(), 9);
        // The reading says what the sign of z means and, for this ResNet, that its conv shuffles move whole kernels.
        string reading = root.GetProperty("reading").GetString()!;
        Assert.Contains(root.GetProperty("z").GetDouble() < 0 ? "more clusterable than the same weights" : "less clusterable than the same weights", reading);
        Assert.Matches(@"\d+ of its \d+ layers are convolutions: their edges are kernels' L1 norms, and the shuffle moves whole kernels", reading);
        Assert.Contains(reading, run.Output);
    }

    [Fact]
    public void Too_few_shuffles_is_a_usage_error()
    {
        var run = CliRun.Of("clusterability", RepositoryFiles.Model("fmnist-mlp.onnx"), "--shuffles", "1", "--out", Path.Combine(TempDirectory.Create(), "x.json"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--shuffles", Assert.Single(run.ErrorLines));
    }
}
