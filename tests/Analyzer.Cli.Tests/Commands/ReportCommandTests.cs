using System.Diagnostics;
using System.Text.RegularExpressions;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class ReportCommandTests
{
    /// <summary>A first look at the MLP (one partitioning, one subcluster, two measures) and its clusterability, then
    /// the report of that folder; made once for the tests that read it.</summary>
    private static readonly Lazy<(string Folder, string Html)> Shared = new(Build);

    private static (string Folder, string Html) Report() => Shared.Value;

    private static (string Folder, string Html) Build()
    {
        string dir = TempDirectory.Create();
        string model = RepositoryFiles.Model("fmnist-mlp.onnx");
        var analyze = CliRun.Of("analyze", model, "--edges", "weights", "--scope", "network", "--measures", "acc-drop,vis-score",
            "--max-subclusters", "1", "--examples", "300", "--out", dir);
        Assert.True(analyze.ExitCode == 0, analyze.Error);
        Assert.Equal(0, CliRun.Of("clusterability", model, "--shuffles", "2", "--out", Path.Combine(dir, "clusterability.json")).ExitCode);
        var report = CliRun.Of("report", dir);
        Assert.True(report.ExitCode == 0, report.Error);
        return (dir, File.ReadAllText(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void The_page_embeds_every_figure_and_names_the_run()
    {
        var (dir, html) = Report();
        // 2 percentile histograms (one per measure), 1 sorted adjacency, 1 visualisation grid, 1 clusterability histogram.
        Assert.Equal(5, Regex.Matches(html, "<img src=\"data:image/png;base64,").Count);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Equal(2, Regex.Matches(html, "<table>").Count);
        Assert.Contains("d9f764bb4b5887a51ff6149917b774d9f681b161a753417966b3686890215b7a", html); // the model's sha256
        Assert.Contains("300 drawn from 10000", html);
        Assert.Contains("Clusterability", html);
        Assert.Matches("/fc\\d/Gemm, cluster \\d+, \\d+ units: vis-score", html);
        Assert.True(File.Exists(Path.Combine(dir, "figures", "adjacency-weights-network.png")));
    }

    [Fact]
    public void A_folder_without_results_is_one_line_and_exit_3()
    {
        var run = CliRun.Of("report", TempDirectory.Create());
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("results.json: not found", Assert.Single(run.ErrorLines));
    }

    [SkippableFact]
    public void Headless_chromium_decodes_every_image_and_renders_every_table()
    {
        string? chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
        Skip.If(chromium is null, "Chromium is not installed (./build.sh test installs Debian's chromium as root)");
        var (dir, html) = Report();
        var start = new ProcessStartInfo(chromium!, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
            new Uri(Path.Combine(dir, "report.html")).AbsoluteUri]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var browser = Process.Start(start)!;
        var dom = browser.StandardOutput.ReadToEndAsync();
        _ = browser.StandardError.ReadToEndAsync();
        Assert.True(browser.WaitForExit(60_000), "chromium did not finish in 60 s");
        // The page's own script counts, after the load event, the images that failed to decode and the empty tables.
        var check = Regex.Match(dom.Result, "<pre id=\"selfcheck\">images (\\d+) undecoded (\\d+) tables (\\d+) empty (\\d+)</pre>");
        Assert.True(check.Success, "the page's self-check did not run");
        Assert.Equal(Regex.Matches(html, "<img ").Count.ToString(), check.Groups[1].Value);
        Assert.Equal("0", check.Groups[2].Value);
        Assert.Equal("2", check.Groups[3].Value);
        Assert.Equal("0", check.Groups[4].Value);
    }
}
