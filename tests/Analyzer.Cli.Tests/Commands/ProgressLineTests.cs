using Analyzer.Core.Progress;
namespace Analyzer.Cli.Tests.Commands;

public class ProgressLineTests
{
    [Fact]
    public void The_first_line_gives_no_time_left_and_the_last_says_done()
    {
        var error = new StringWriter();
        var progress = new ProgressLine(error, "lesions", 100);
        progress.Advance(1);
        progress.Advance(99);
        var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("lesions: 1 %", lines[0].Replace("\u00a0", " "));
        Assert.Contains("estimating the time left", lines[0]);
        Assert.DoesNotContain("about", lines[0]);
        Assert.Contains("100", lines[1]);
        Assert.DoesNotContain("left", lines[1]);
    }
}
