using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>A run in shards, merged, is the single run byte for byte; merge names a missing, unfinished or foreign shard,
/// and a shard run again alone completes the merge.</summary>
public class ShardAndMergeTests(ShardAndMergeTests.Runs runs) : IClassFixture<ShardAndMergeTests.Runs>
{
    // All four partitionings, lesion and visualisation measures; three subclusters per partitioning spread over four
    // shards, so that some shards have none of a partitioning's.
    private static string[] Options(string output, int seed = 0) =>
    [
        "analyze", RepositoryFiles.Model("fmnist-mlp.onnx"), "--measures", "acc-drop,class-range,vis-score", "--max-subclusters", "3",
        "--examples", "300", "--samples", "300", "--random", "5", "--seed", $"{seed}", "--out", output,
    ];

    /// <summary>One single run and one run in four shards, shared by the tests.</summary>
    public sealed class Runs
    {
        public string Single { get; } = TempDirectory.Create();
        public string[] Shards { get; } = Enumerable.Range(0, 4).Select(_ => TempDirectory.Create()).ToArray();

        public Runs()
        {
            Assert.Equal(0, CliRun.Of(Options(Single)).ExitCode);
            for (int i = 0; i < Shards.Length; i++)
                Assert.Equal(0, CliRun.Of([.. Options(Shards[i]), "--shard", $"{i}/4"]).ExitCode);
        }
    }

    private static void AssertSameBytes(string expected, string actual, string file) =>
        Assert.True(File.ReadAllBytes(Path.Combine(expected, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(actual, file))),
            $"{file} differs between {expected} and {actual}");

    private static string[] Pictures(string folder) =>
        Directory.GetFiles(Path.Combine(folder, "visualisations"), "*.png", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f)).Order().ToArray();

    [Fact]
    public void Four_shards_merged_in_any_order_equal_the_single_run()
    {
        Assert.All(runs.Shards, s => Assert.False(File.Exists(Path.Combine(s, "results.json"))));
        string merged = TempDirectory.Create();
        var merge = CliRun.Of(["merge", runs.Shards[2], runs.Shards[0], runs.Shards[3], runs.Shards[1], "--out", merged]);
        Assert.Equal(0, merge.ExitCode);
        foreach (string file in new[] { "results.json", "table.md", "report.html" })
            AssertSameBytes(runs.Single, merged, file);
        Assert.Equal(Pictures(runs.Single), Pictures(merged));
        Assert.All(Pictures(merged), p => AssertSameBytes(runs.Single, merged, p));
        // The shards did share the work: no shard drew every picture.
        Assert.All(runs.Shards, s => Assert.True(!Directory.Exists(Path.Combine(s, "visualisations")) ||
                                                 Pictures(s).Length < Pictures(runs.Single).Length));
    }

    [Fact]
    public void Merge_names_the_missing_shard()
    {
        var merge = CliRun.Of(["merge", runs.Shards[0], runs.Shards[1], runs.Shards[3], "--out", TempDirectory.Create()]);
        Assert.Equal(3, merge.ExitCode);
        Assert.Contains("shard 2/4 of 4 is missing", merge.Error);
        Assert.Single(merge.ErrorLines);
    }

    [Fact]
    public void Merge_refuses_a_shard_given_twice_and_a_whole_run()
    {
        var twice = CliRun.Of(["merge", runs.Shards[0], runs.Shards[0], runs.Shards[1], runs.Shards[2], "--out", TempDirectory.Create()]);
        Assert.Equal(3, twice.ExitCode);
        Assert.Contains("shard 0/4 is given twice", twice.Error);
        var whole = CliRun.Of(["merge", runs.Single, "--out", TempDirectory.Create()]);
        Assert.Equal(3, whole.ExitCode);
        Assert.Contains("a whole run, not a shard", whole.Error);
    }

    [Fact]
    public void Merge_refuses_shards_of_different_runs()
    {
        string other = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of([.. Options(other, seed: 1), "--edges", "weights", "--scope", "network", "--shard", "1/4"]).ExitCode);
        var merge = CliRun.Of(["merge", runs.Shards[0], other, runs.Shards[2], runs.Shards[3], "--out", TempDirectory.Create()]);
        Assert.Equal(3, merge.ExitCode);
        Assert.Contains("comes from a different run", merge.Error);
    }

    [Fact]
    public void A_shard_that_died_is_named_and_rerun_alone()
    {
        // Shard 1 died after its first partitioning: its other pieces and shard.json were never written.
        string died = TempDirectory.Create();
        CopyTree(runs.Shards[1], died);
        File.Delete(Path.Combine(died, "shard.json"));
        foreach (string piece in Directory.GetFiles(Path.Combine(died, "partitionings")).Where(p => !p.EndsWith("weights-network.json")))
            File.Delete(piece);
        var merge = CliRun.Of(["merge", runs.Shards[0], died, runs.Shards[2], runs.Shards[3], "--out", TempDirectory.Create()]);
        Assert.Equal(3, merge.ExitCode);
        Assert.Contains("no shard.json", merge.Error);

        var rerun = CliRun.Of([.. Options(died), "--shard", "1/4"]);
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains("weights-network: already done", rerun.Error);
        string merged = TempDirectory.Create();
        Assert.Equal(0, CliRun.Of(["merge", runs.Shards[0], died, runs.Shards[2], runs.Shards[3], "--out", merged]).ExitCode);
        AssertSameBytes(runs.Single, merged, "results.json");
    }

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void A_bad_shard_is_a_usage_error(string shard)
    {
        var run = CliRun.Of([.. Options(TempDirectory.Create()), "--shard", shard]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--shard", run.Error);
    }

    private static void CopyTree(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
