using System.Diagnostics;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>Same inputs, options and seed give the same files whatever the thread count, and a run killed with SIGKILL
/// at any point and started again ends with the files of an uninterrupted run.</summary>
public class ResumeAndDeterminismTests
{
    // All four partitionings, lesion and visualisation measures, on a first look at the MLP: seconds per run.
    private static string[] Options(string output) =>
    [
        "analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--measures", "acc-drop,class-range,vis-score", "--max-subclusters", "1",
        "--examples", "300", "--samples", "300", "--out", output,
    ];

    private static readonly string[] Outputs = ["results.json", "table.md"];

    private static void AssertSameFiles(string expected, string actual)
    {
        foreach (string file in Outputs)
            Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))),
                $"{file} differs between {expected} and {actual}");
    }

    [Fact]
    public void One_thread_and_two_threads_write_identical_files()
    {
        string one = TempDirectory.Create(), two = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of([.. Options(one), "--threads", "1"]).ExitCode);
        Assert.Equal(0, CliRun.Of([.. Options(two), "--threads", "2"]).ExitCode);
        AssertSameFiles(one, two);
    }

    /// <summary>The analyzer as a separate process (the build beside this test assembly), so that it can be killed.</summary>
    private static Process Start(string output)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "analyzer.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. Options(output), "--threads", "2"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }

    [Fact]
    public void A_run_killed_at_any_point_resumes_to_the_same_files()
    {
        string reference = TempDirectory.Create();
        using (var whole = Start(reference))
        {
            Assert.True(whole.WaitForExit(300_000));
            Assert.Equal(0, whole.ExitCode);
        }
        // Kill points: after the first and after the third finished partitioning, wherever the run then is (inside the
        // next partitioning's lesions or visualisations, or writing its files).
        foreach (int finished in new[] { 1, 3 })
        {
            string output = TempDirectory.Create();
            using (var run = Start(output))
            {
                string partitionings = Path.Combine(output, "partitionings");
                var clock = Stopwatch.StartNew();
                while (!run.HasExited && clock.Elapsed < TimeSpan.FromMinutes(5))
                {
                    int done = Directory.Exists(partitionings) ? Directory.GetFiles(partitionings, "*.json").Length : 0;
                    if (done >= finished) break;
                    Thread.Sleep(20);
                }
                if (!run.HasExited) run.Kill(entireProcessTree: true);
                run.WaitForExit();
            }
            // No half-written file is left behind for the resumed run to read.
            Assert.Empty(Directory.GetFiles(output, "*.tmp-*", SearchOption.AllDirectories));
            using var resumed = Start(output);
            Assert.True(resumed.WaitForExit(300_000));
            Assert.Equal(0, resumed.ExitCode);
            AssertSameFiles(reference, output);
        }
    }
}
