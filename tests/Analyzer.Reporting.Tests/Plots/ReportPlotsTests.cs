using Analyzer.Reporting.Plots;

namespace Analyzer.Reporting.Tests.Plots;

public class ReportPlotsTests
{
    [Fact]
    public void Percentile_histogram_counts_have_whole_number_ticks()
    {
        // Three subclusters: the count axis runs 0 to 1.15 * 2, where automatic ticks would fall on 0.5 and 1.5.
        var plot = ReportPlots.PercentileHistogramPlot([0.01, 0.02, 0.6], "weights / network / acc-drop");
        plot.GetImageBytes(360, 240, ScottPlot.ImageFormat.Png);
        var ticks = plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor).Select(t => t.Position).ToArray();
        Assert.NotEmpty(ticks);
        Assert.All(ticks, t => Assert.Equal(Math.Round(t), t));
    }
}
