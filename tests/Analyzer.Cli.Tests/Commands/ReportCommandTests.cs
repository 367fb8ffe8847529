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
        Assert.Equal(5, Regex.Matches(html, "<img src=\"data:image/(png|webp);base64,").Count);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Equal(2, Regex.Matches(html, "<table>").Count);
        Assert.Contains("d9f764bb4b5887a51ff6149917b774d9f681b161a753417966b3686890215b7a", html); // the model's sha256
        Assert.Contains("300 drawn from 10000", html);
        Assert.Contains("Clusterability", html);
        Assert.Matches("/fc\\d/Gemm, cluster \\d+, \\d+ units: vis-score", html);
        Assert.True(File.Exists(Path.Combine(dir, "figures", "adjacency-weights-network.png")));
    }

    [Fact]
    public void The_page_says_what_it_found_in_words_with_one_p_format()
    {
        var (_, html) = Report();
        Assert.True(html.IndexOf("<h2>Verdict</h2>", StringComparison.Ordinal) < html.IndexOf("<h2>Table 1", StringComparison.Ordinal));
        Assert.Contains("<dd>pixels / 255, no mean or std; RGB; image files scaled to cover the input and centre-cropped</dd>", html);
        Assert.DoesNotMatch(@"\d[eE][+-]0\d", html.Split("data:image")[0]); // no 4.61E-05 before the first image …
        Assert.DoesNotMatch(@"p = [\d.]+E", html);                              // … nor in any caption
        Assert.Contains("weights, network: nodes by cluster. A cluster&#39;s edges lie inside its block on the diagonal", html);
        Assert.DoesNotContain("clusters are the bright blocks on the diagonal.", html); // true only of correlation graphs
        Assert.Matches(@"z = [+-]?\d+\.\d\d (&lt;|&gt;) 0: the model&#39;s n-cut is (lower|higher) than the shuffled networks&#39;", html);
    }

    [Fact]
    public void Grids_are_embedded_as_their_first_row_at_the_images_own_size_linking_the_full_grid()
    {
        var (dir, html) = Report();
        var link = Regex.Match(html, "<a href=\"(visualisations/weights-network/[^\"]+\\.png)\"><img src=\"data:image/webp;base64,([^\"]+)\"");
        Assert.True(link.Success, "no linked grid thumbnail");
        string full = Path.Combine(dir, link.Groups[1].Value);
        Assert.True(File.Exists(full), full);
        Assert.True(Convert.FromBase64String(link.Groups[2].Value).Length * 4 < new FileInfo(full).Length,
            "the thumbnail is not a quarter of the full grid's size");
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
