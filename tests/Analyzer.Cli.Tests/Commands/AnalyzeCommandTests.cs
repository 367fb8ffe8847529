using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class AnalyzeCommandTests
{
    private static byte[] Idx(int[] dims, byte[] data) => IdxBytes.Of(dims, data);

    /// <summary>The two-pathway model with 40 examples: x0 large means class 0, x1 large means class 1.</summary>
    private static (string Model, string Data) Fixture()
    {
        var rng = new Random(2);
        var pixels = new List<byte>();
        var labels = new List<byte>();
        for (int i = 0; i < 40; i++)
        {
            int label = i % 2;
            byte big = (byte)rng.Next(100, 255), small = (byte)rng.Next(0, 90);
            pixels.AddRange(label == 0 ? [big, small] : [small, big]);
            labels.Add((byte)label);
        }
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "images"), Idx([40, 1, 2], pixels.ToArray()));
        File.WriteAllBytes(Path.Combine(dir, "labels"), Idx([40], labels.ToArray()));
        return (TinyModels.TwoPathways(), $"idx:{Path.Combine(dir, "images")},{Path.Combine(dir, "labels")}");
    }

    private static string[] Args(string model, string data, string output) =>
        ["analyze", model, "--data", data, "-k", "2", "--out", output, "--device", "cpu"];

    [Fact]
    public void Results_json_lets_every_statistic_be_recomputed_by_hand()
    {
        var (model, data) = Fixture();
        string output = TempDirectory.Create();
        var run = CliRun.Of(Args(model, data, output));
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("| weights, network |", run.Output);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        var partitionings = doc.RootElement.GetProperty("partitionings").EnumerateArray().ToList();
        Assert.Equal(["weights-network", "weights-layer", "activations-network", "activations-layer"],
            partitionings.Select(p => $"{p.GetProperty("edges").GetString()}-{p.GetProperty("scope").GetString()}"));
        foreach (var p in partitionings)
            foreach (var measure in p.GetProperty("measures").EnumerateObject())
            {
                var subclusters = measure.Value.GetProperty("subclusters").EnumerateArray().ToList();
                var percentiles = new List<double>();
                var effects = new List<double>();
                foreach (var s in subclusters)
                {
                    double x = s.GetProperty("value").GetDouble();
                    double[] r = s.GetProperty("random").EnumerateArray().Select(v => v.GetDouble()).ToArray();
                    Assert.Equal(19, r.Length);
                    // Mid-rank percentile: (#more specialised-looking + ties/2 + 1/2) / 20; high values are
                    // specialised-looking, except for softmax-entropy where low ones are.
                    int more = measure.Name == "softmax-entropy" ? r.Count(v => v < x) : r.Count(v => v > x);
                    double percentile = (more + 0.5 * r.Count(v => v == x) + 0.5) / 20;
                    Assert.Equal(percentile, s.GetProperty("percentile").GetDouble(), 12);
                    double mu = Math.Max(0, r.Average()), xc = Math.Max(0, x);
                    double effect = xc + mu == 0 ? 1 : 2 * xc / (xc + mu);
                    Assert.Equal(effect, s.GetProperty("effect").GetDouble(), 12);
                    percentiles.Add(percentile);
                    effects.Add(effect);
                }
                int n = percentiles.Count;
                Assert.True(n > 0, "no subcluster was analysed");
                Assert.Equal(n, measure.Value.GetProperty("n").GetInt32());
                double fisher = -percentiles.Average(Math.Log);
                Assert.Equal(fisher, measure.Value.GetProperty("fisher").GetDouble(), 12);
                // P(χ²_2n ≥ 2nF) = e^(-nF) Σ_{j<n} (nF)^j / j!.
                double term = Math.Exp(-n * fisher), sum = 0;
                for (int j = 0; j < n; j++)
                {
                    sum += term;
                    term *= n * fisher / (j + 1);
                }
                Assert.Equal(sum, measure.Value.GetProperty("p").GetDouble(), 12);
                Assert.Equal(effects.Average(), measure.Value.GetProperty("effect").GetProperty("mean").GetDouble(), 12);
            }
        Assert.True(File.Exists(Path.Combine(output, "table.md")));
        Assert.Equal(["acc-drop", "class-range", "vis-score", "softmax-entropy"],
            partitionings[0].GetProperty("measures").EnumerateObject().Select(m => m.Name));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(output, "visualisations", "weights-network"), "*.png"));
    }

    [Fact]
    public void A_second_run_resumes_finished_partitionings_and_writes_the_same_results()
    {
        var (model, data) = Fixture();
        string output = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of(Args(model, data, output)).ExitCode);
        string first = File.ReadAllText(Path.Combine(output, "results.json"));
        var again = CliRun.Of(Args(model, data, output));
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("weights-network: already done", again.Error);
        Assert.Contains("weights-layer: already done", again.Error);
        Assert.Equal(first, File.ReadAllText(Path.Combine(output, "results.json")));
        // A different seed is a different experiment: nothing is reused.
        var other = CliRun.Of([.. Args(model, data, output), "--seed", "1"]);
        Assert.DoesNotContain("already done", other.Error);
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_results_and_pictures()
    {
        var (model, data) = Fixture();
        string first = TempDirectory.Create(), second = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of([.. Args(model, data, first), "--edges", "weights"]).ExitCode);
        Assert.Equal(0, CliRun.Of([.. Args(model, data, second), "--edges", "weights"]).ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(first, "results.json")), File.ReadAllText(Path.Combine(second, "results.json")));
        var pictures = Directory.GetFiles(Path.Combine(first, "visualisations"), "*.png", SearchOption.AllDirectories);
        Assert.NotEmpty(pictures);
        foreach (var picture in pictures)
            Assert.Equal(File.ReadAllBytes(picture), File.ReadAllBytes(picture.Replace(first, second)));
    }

    [Fact]
    public void Weights_and_visualisation_alone_need_no_data()
    {
        string output = TempDirectory.Create();
        string missing = "idx:" + Path.Combine(TempDirectory.Create(), "no-images") + "," + Path.Combine(TempDirectory.Create(), "no-labels");
        var run = CliRun.Of("analyze", TinyModels.TwoPathways(), "--data", missing, "-k", "2", "--edges", "weights",
            "--measures", "vis-score,softmax-entropy", "--out", output, "--device", "cpu");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("No test data used", run.Output);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal(0, doc.RootElement.GetProperty("examples").GetInt32());
        Assert.Equal("none", doc.RootElement.GetProperty("data").GetString());
        Assert.Equal(["vis-score", "softmax-entropy"],
            doc.RootElement.GetProperty("partitionings")[0].GetProperty("measures").EnumerateObject().Select(m => m.Name));
        // Lesions do need the data: the missing files are named.
        var lesions = CliRun.Of("analyze", TinyModels.TwoPathways(), "--data", missing, "-k", "2", "--edges", "weights",
            "--measures", "acc-drop", "--out", TempDirectory.Create(), "--device", "cpu");
        Assert.Equal(3, lesions.ExitCode);
    }

    [Fact]
    public void Unavailable_measures_are_usage_errors()
    {
        var (model, data) = Fixture();
        var run = CliRun.Of([.. Args(model, data, TempDirectory.Create()), "--measures", "vis-score,coherence"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --measures: 'vis-score,coherence'; use a comma-separated list of: acc-drop, class-range, output-change, vis-score, softmax-entropy, lateralisation",
            Assert.Single(run.ErrorLines));
    }

    [Fact]
    public void Aggregate_averages_fisher_combines_p_by_bates_and_pools_effects()
    {
        var (model, data) = Fixture();
        string a = TempDirectory.Create(), b = TempDirectory.Create(), combined = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of(Args(model, data, a)).ExitCode);
        Assert.Equal(0, CliRun.Of([.. Args(model, data, b), "--seed", "1"]).ExitCode);
        var run = CliRun.Of("aggregate", a, b, "--out", combined);
        Assert.Equal(0, run.ExitCode);
        using var ra = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "results.json")));
        using var rb = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "results.json")));
        using var rc = JsonDocument.Parse(File.ReadAllText(Path.Combine(combined, "results.json")));
        JsonElement Measure(JsonDocument d) => d.RootElement.GetProperty("partitionings")[0].GetProperty("measures").GetProperty("acc-drop");
        var (ma, mb, mc) = (Measure(ra), Measure(rb), Measure(rc));
        Assert.Equal((ma.GetProperty("fisher").GetDouble() + mb.GetProperty("fisher").GetDouble()) / 2, mc.GetProperty("fisher").GetDouble(), 12);
        // Bates with R = 2: P(mean ≤ m) = s²/2 for s = 2m ≤ 1, else 1 - (2 - s)²/2.
        double s = ma.GetProperty("p").GetDouble() + mb.GetProperty("p").GetDouble();
        double expected = s <= 1 ? s * s / 2 : 1 - (2 - s) * (2 - s) / 2;
        Assert.Equal(expected, mc.GetProperty("p").GetDouble(), 12);
        Assert.Equal(ma.GetProperty("n").GetInt32() + mb.GetProperty("n").GetInt32(), mc.GetProperty("n").GetInt32());
        var effects = new[] { ma, mb }.SelectMany(m => m.GetProperty("subclusters").EnumerateArray().Select(x => x.GetProperty("effect").GetDouble())).ToArray();
        Assert.Equal(effects.Average(), mc.GetProperty("effect").GetProperty("mean").GetDouble(), 12);
        Assert.True(File.Exists(Path.Combine(combined, "table.md")));
    }

    [Fact]
    public void Compat_switches_are_recorded_and_use_strict_ties()
    {
        var (model, data) = Fixture();
        string output = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of(Args(model, data, output)).ExitCode);
        var run = CliRun.Of([.. Args(model, data, output), "--compat", "all"]);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("already done", run.Error); // different switches, different experiment
        Assert.Contains("Reference-compat switches", run.Output);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal(["ties", "accuracy", "class-range", "acc-drop-effect"], doc.RootElement.GetProperty("compat").EnumerateArray().Select(e => e.GetString()));
        foreach (var s in doc.RootElement.GetProperty("partitionings")[0].GetProperty("measures").GetProperty("acc-drop").GetProperty("subclusters").EnumerateArray())
        {
            double x = s.GetProperty("value").GetDouble();
            double[] r = s.GetProperty("random").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal((r.Count(v => v > x) + 0.5) / 20, s.GetProperty("percentile").GetDouble(), 12);
        }
    }

    [Fact]
    public void Examples_are_recorded_and_a_different_count_is_a_different_experiment()
    {
        var (model, data) = Fixture();
        string output = TempDirectory.Create();
        string[] args = [.. Args(model, data, output), "--edges", "weights", "--scope", "network", "--measures", "acc-drop"];
        Assert.Equal(0, CliRun.Of([.. args, "--examples", "10"]).ExitCode);
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))))
        {
            Assert.Equal(10, doc.RootElement.GetProperty("examples").GetInt32());
            Assert.Equal(40, doc.RootElement.GetProperty("examples_drawn_from").GetInt32());
        }
        var all = CliRun.Of(args);
        Assert.Equal(0, all.ExitCode);
        Assert.DoesNotContain("already done", all.Error);
        using var full = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        Assert.Equal(40, full.RootElement.GetProperty("examples").GetInt32());
        Assert.Equal(JsonValueKind.Null, full.RootElement.TryGetProperty("examples_drawn_from", out var drawn) ? drawn.ValueKind : JsonValueKind.Null);
    }

    [Fact]
    public void Max_subclusters_and_layers_select_subclusters_and_say_what_was_left_out()
    {
        var (model, data) = Fixture();
        string output = TempDirectory.Create();
        string[] args = [.. Args(model, data, output), "--edges", "weights", "--scope", "network", "--measures", "acc-drop"];
        Assert.Equal(0, CliRun.Of(args).ExitCode);
        JsonElement AccDrop()
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
            return doc.RootElement.GetProperty("partitionings")[0].GetProperty("measures").GetProperty("acc-drop").Clone();
        }
        var full = AccDrop();
        Assert.Equal(2, full.GetProperty("subclusters").GetArrayLength());

        Assert.Equal(0, CliRun.Of([.. args, "--max-subclusters", "1"]).ExitCode);
        var one = AccDrop();
        var kept = Assert.Single(one.GetProperty("subclusters").EnumerateArray());
        // The kept subcluster and its controls are those of the full run.
        Assert.Contains(full.GetProperty("subclusters").EnumerateArray(), s => s.GetRawText() == kept.GetRawText());
        Assert.Contains(one.GetProperty("skipped").EnumerateArray(), s => s.GetProperty("reason").GetString() == "not drawn by --max-subclusters 1");
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json"))))
            Assert.Equal(1, doc.RootElement.GetProperty("max_subclusters").GetInt32());

        Assert.Equal(0, CliRun.Of([.. args, "--layers", "fc1"]).ExitCode);
        Assert.Equal(full.GetProperty("subclusters").GetRawText(), AccDrop().GetProperty("subclusters").GetRawText());
        var unknown = CliRun.Of([.. args, "--layers", "fc9"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--layers: 'fc9'", unknown.Error);
        Assert.Contains("fc1", unknown.Error);
    }

    [Fact]
    public void Plan_counts_the_work_a_run_does_without_running_it()
    {
        var (model, data) = Fixture();
        string output = Path.Combine(TempDirectory.Create(), "run");
        var plan = CliRun.Of([.. Args(model, data, output), "--plan", "--json"]);
        Assert.Equal(0, plan.ExitCode);
        Assert.False(Directory.Exists(output));
        using var doc = JsonDocument.Parse(plan.Output);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("estimated_seconds").GetDouble() > 0);
        Assert.True(root.GetProperty("estimated_peak_mib").GetDouble() > 0);
        var planned = root.GetProperty("partitionings").EnumerateArray()
            .ToDictionary(p => $"{p.GetProperty("edges").GetString()}-{p.GetProperty("scope").GetString()}");
        Assert.Equal(["weights-network", "weights-layer", "activations-network", "activations-layer"], planned.Keys);

        Assert.Equal(0, CliRun.Of(Args(model, data, output)).ExitCode);
        using var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "results.json")));
        foreach (var p in results.RootElement.GetProperty("partitionings").EnumerateArray())
        {
            string key = $"{p.GetProperty("edges").GetString()}-{p.GetProperty("scope").GetString()}";
            var row = planned[key];
            // Activation partitionings come from the same 40 examples here (fewer than the plan's sample), so every
            // count is the run's own: subclusters, their lesions over 40 examples, and 100 Adam steps per image.
            int subclusters = p.GetProperty("measures").GetProperty("acc-drop").GetProperty("subclusters").GetArrayLength();
            Assert.Equal(subclusters, row.GetProperty("subclusters").GetInt32());
            Assert.Equal(subclusters * 20, row.GetProperty("lesions").GetInt32());
            Assert.Equal(subclusters * 20 * 40L, row.GetProperty("forward_passes").GetInt64());
            Assert.Equal(subclusters * 20, row.GetProperty("visualisations").GetInt32());
            Assert.Equal(subclusters * 20 * 100L, row.GetProperty("visualisation_steps").GetInt64());
        }
        var table = CliRun.Of([.. Args(model, data, output), "--plan"]);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("| weights-network |", table.Output);
        Assert.Contains("estimated: about", table.Output);
        var misplaced = CliRun.Of([.. Args(model, data, output), "--json"]);
        Assert.Equal(2, misplaced.ExitCode);
        Assert.Contains("--json: only with --plan", misplaced.Error);
    }

    [Fact]
    public void Plan_of_a_residual_network_counts_what_shared_tensors_cost_once()
    {
        // fmnist-resnet's residual sums are read by two layers: two node sets share one visualised tensor.
        string model = RepositoryFiles.Model("fmnist-resnet.onnx");
        var plan = CliRun.Of("analyze", model, "--data", "fashion-mnist", "--measures", "acc-drop,vis-score", "--random", "1",
            "--max-subclusters", "2", "--examples", "20", "--samples", "200", "--plan", "--json", "--device", "cpu");
        if (plan.ExitCode == 3 && plan.Error.Contains("dataset not found")) return;
        Assert.True(plan.ExitCode == 0, plan.Error);
        using var doc = JsonDocument.Parse(plan.Output);
        var rows = doc.RootElement.GetProperty("partitionings").EnumerateArray().ToList();
        Assert.Equal(4, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(2, row.GetProperty("subclusters").GetInt32());
            Assert.Equal(4, row.GetProperty("lesions").GetInt32());
            Assert.Equal(4 * 20L, row.GetProperty("forward_passes").GetInt64());
            Assert.True(row.GetProperty("lesion_seconds").GetDouble() > 0);
            Assert.True(row.GetProperty("visualisation_seconds").GetDouble() > 0);
        }
    }

    [Fact]
    public void An_unknown_compat_switch_is_a_usage_error()
    {
        var (model, data) = Fixture();
        var run = CliRun.Of([.. Args(model, data, TempDirectory.Create()), "--compat", "fft"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --compat: 'fft' is not a reference-compat switch", Assert.Single(run.ErrorLines));
    }
}
