using System.Diagnostics;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>
/// The Slurm recipe as written (deploy/slurm): a one-machine cluster (munged, slurmctld, slurmd), the Fashion-MNIST MLP
/// submitted as a 4-task job array with its dependent merge, and the merged results.json compared byte for byte with a
/// single run. It installs slurm-wlm and munge when missing; it needs root, and runs when ANALYZER_SLURM_TEST=1 (.ci/run
/// sets it), since it takes a minute or two.
/// </summary>
public class SlurmRecipeTests
{
    private static readonly string[] AnalyzeOptions =
    [
        RepositoryFiles.Model("fmnist-mlp.onnx"), "--measures", "acc-drop,class-range,vis-score", "--max-subclusters", "3",
        "--examples", "300", "--samples", "300", "--random", "5",
    ];

    [SkippableFact]
    public void A_job_array_of_four_shards_and_its_merge_equal_a_single_run()
    {
        Skip.If(Environment.GetEnvironmentVariable("ANALYZER_SLURM_TEST") != "1", "set ANALYZER_SLURM_TEST=1 to run the Slurm recipe (.ci/run does)");
        Skip.If(Environment.UserName != "root", "the Slurm test starts munged, slurmctld and slurmd, which needs root");
        if (!File.Exists("/usr/bin/sbatch") || !File.Exists("/usr/sbin/munged"))
        {
            var install = Shell("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"],
                new() { ["DEBIAN_FRONTEND"] = "noninteractive" });
            Skip.If(install.Code != 0, $"slurm-wlm and munge could not be installed: {install.Output.Trim().Split('\n').Last()}");
        }
        string cluster = TempDirectory.Create(), out_ = TempDirectory.Create(), single = TempDirectory.Create();
        string script = Path.Combine(RepositoryFiles.Root, "deploy", "slurm");
        var started = Shell(Path.Combine(script, "localhost-cluster.sh"), ["start", cluster]);
        try
        {
            // A machine that cannot run the daemons (no root inside a restricted container) skips; the recipe itself must work.
            Skip.If(started.Code != 0, $"a one-machine Slurm cluster could not be started here: {started.Output.Trim().Split('\n').Last()}");
            var environment = new Dictionary<string, string>
            {
                ["SLURM_CONF"] = Path.Combine(cluster, "slurm.conf"),
                ["ANALYZER"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "analyzer.dll")}",
                ["WAIT"] = "1",
            };
            var submitted = Shell(Path.Combine(script, "submit.sh"), ["4", out_, .. AnalyzeOptions], environment);
            Assert.True(submitted.Code == 0, submitted.Output + ReadLogs(out_));
            // The single run from the repository root too, as the tasks ran: results.json names the model as it was given.
            var alone = Shell("dotnet", [Path.Combine(AppContext.BaseDirectory, "analyzer.dll"), "analyze", .. AnalyzeOptions, "--out", single]);
            Assert.True(alone.Code == 0, alone.Output);
            Assert.True(File.ReadAllBytes(Path.Combine(single, "results.json"))
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(out_, "merged", "results.json"))),
                "the merged results.json differs from the single run's");
            Assert.All(Enumerable.Range(0, 4), i => Assert.True(File.Exists(Path.Combine(out_, $"shard-{i}", "shard.json"))));
        }
        finally
        {
            Shell(Path.Combine(script, "localhost-cluster.sh"), ["stop", cluster]);
        }
    }

    private static string ReadLogs(string folder) =>
        string.Join("\n", Directory.Exists(Path.Combine(folder, "logs"))
            ? Directory.GetFiles(Path.Combine(folder, "logs")).Select(f => $"{f}:\n{File.ReadAllText(f)}")
            : []);

    private static (int Code, string Output) Shell(string program, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(600_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{program} did not finish in 10 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
