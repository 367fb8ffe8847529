using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Core.Measures;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Subclusters;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Pipeline;

/// <summary>An analysis reported under a further convention (measured once) writes, in each folder, the results of a
/// separate run under that convention alone.</summary>
public class ConventionSharingTests
{
    private static AnalysisPlan Plan(string output, ReferenceCompat compat) => new()
    {
        Model = RepositoryFiles.Model("fmnist-mlp.onnx"), Data = "fashion-mnist", Out = output, Compat = compat,
        Measures = [Measure.AccDrop, Measure.ClassRange, Measure.VisScore], MaxSubclusters = 2, Examples = 300, Samples = 300,
        Threads = 1,
    };

    private static string Results(string folder) => File.ReadAllText(Path.Combine(folder, AnalysisFolder.ResultsFile));

    [SkippableFact]
    public void Both_conventions_at_once_give_each_conventions_separate_results()
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        string paper = TempDirectory.Create(), authors = TempDirectory.Create();
        AnalysisRun.Complete(Plan(paper, ReferenceCompat.None), TextWriter.Null, JsonResultsWriter.Instance);
        AnalysisRun.Complete(Plan(authors, ReferenceCompat.All), TextWriter.Null, JsonResultsWriter.Instance);

        string sharedPaper = TempDirectory.Create(), sharedAuthors = TempDirectory.Create();
        var log = new StringWriter();
        var outcome = AnalysisRun.Complete(Plan(sharedPaper, ReferenceCompat.None) with { AlsoUnder = [new(ReferenceCompat.All, sharedAuthors)] },
            log, JsonResultsWriter.Instance);
        Assert.Single(outcome.AlsoUnder);
        Assert.Equal(Results(paper), Results(sharedPaper));
        Assert.Equal(Results(authors), Results(sharedAuthors));
        Assert.NotEqual(Results(paper), Results(authors)); // the conventions do differ here, so the comparison can fail

        // Each folder's checkpoints resume on their own: a rerun redoes nothing.
        var rerun = new StringWriter();
        AnalysisRun.Complete(Plan(sharedPaper, ReferenceCompat.None) with { AlsoUnder = [new(ReferenceCompat.All, sharedAuthors)] },
            rerun, JsonResultsWriter.Instance);
        Assert.DoesNotContain("clustering", rerun.ToString());
        Assert.Equal(Results(authors), Results(sharedAuthors));
    }

    [Fact]
    public void A_shard_cannot_report_under_further_conventions()
    {
        var plan = Plan(TempDirectory.Create(), ReferenceCompat.None) with
        {
            AlsoUnder = [new(ReferenceCompat.All, TempDirectory.Create())], Shard = ShardSpec.Parse("1/2"),
        };
        var error = Assert.Throws<Errors.UsageException>(plan.Validate);
        Assert.Contains("shard", error.Message);
    }
}
