using Analyzer.Core.Graphs;
using ScottPlot;

namespace Analyzer.Reporting.Plots;

/// <summary>The report's figures as PNG bytes, drawn with ScottPlot.</summary>
public static class ReportPlots
{
    /// <summary>SkiaSharp's self-contained Linux build sees no system fonts, so text would not be drawn: the first of
    /// these files that exists is registered for every plot (Debian's fonts-dejavu-core, or Liberation).</summary>
    private static readonly string[] FontFiles =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/Library/Fonts/Arial.ttf",
        "C:/Windows/Fonts/arial.ttf",
    ];

    private static readonly Lazy<string?> FontName = new(() =>
    {
        string? file = FontFiles.FirstOrDefault(File.Exists);
        if (file is null) return null;
        Fonts.AddFontFile("Analyzer Sans", file);
        return "Analyzer Sans";
    });

    /// <summary>Whether plots can draw text here (a font file was found).</summary>
    public static bool HasFont => FontName.Value is not null;

    private static Plot NewPlot()
    {
        var plot = new Plot();
        if (FontName.Value is { } name) plot.Font.Set(name);
        return plot;
    }

    /// <summary>Ticks for an axis of counts: whole numbers only, never 2.5 subclusters.</summary>
    private static ScottPlot.TickGenerators.NumericAutomatic CountTicks() => new() { IntegerTicksOnly = true };

    /// <summary>The paper's Figure 2: how the true subclusters' percentiles (low: specialised) fall among their
    /// controls'; uniform under no specialization. Bins of 0.05 over [0, 1].</summary>
    public static byte[] PercentileHistogram(IReadOnlyList<double> percentiles, string title, int width = 360, int height = 240) =>
        PercentileHistogramPlot(percentiles, title).GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>The plot that <see cref="PercentileHistogram"/> draws, for a caller that wants another format or size.</summary>
    public static Plot PercentileHistogramPlot(IReadOnlyList<double> percentiles, string title)
    {
        var counts = new double[20];
        foreach (double p in percentiles) counts[Math.Clamp((int)(p * 20), 0, 19)]++;
        var plot = NewPlot();
        var bars = plot.Add.Bars(Enumerable.Range(0, 20).Select(i => 0.025 + 0.05 * i).ToArray(), counts);
        foreach (var bar in bars.Bars) bar.Size = 0.045;
        var uniform = plot.Add.HorizontalLine(percentiles.Count / 20.0);
        uniform.LinePattern = LinePattern.Dashed;
        uniform.Color = Colors.Gray;
        plot.Axes.SetLimits(0, 1, 0, Math.Max(1, counts.Max()) * 1.15);
        plot.Title(title, 11);
        plot.XLabel("percentile among controls (low: specialised)", 10);
        plot.YLabel("subclusters", 10);
        plot.Axes.Left.TickGenerator = CountTicks();
        return plot;
    }

    /// <summary>The graph's adjacency with node i drawn at <paramref name="position"/>[i] (-1: left out), block-averaged to
    /// at most <paramref name="cells"/> cells a side and shown as log10(1 + a / mean a): clusters are bright diagonal blocks.</summary>
    public static byte[] SortedAdjacency(WeightedGraph graph, int[] position, string title, int cells = 256, int size = 420)
    {
        int shown = position.Count(p => p >= 0), m = Math.Max(1, Math.Min(cells, shown));
        var cell = position.Select(p => p < 0 ? -1 : (int)((long)p * m / shown)).ToArray();
        var sums = graph.GroupSums(cell, m);
        double total = 0;
        foreach (double v in sums) total += v;
        double mean = total / ((double)m * m);
        var intensities = new double[m, m];
        for (int r = 0; r < m; r++)
            for (int c = 0; c < m; c++) intensities[m - 1 - r, c] = mean > 0 ? Math.Log10(1 + sums[r * m + c] / mean) : 0;
        var plot = NewPlot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        plot.Title(title, 11);
        plot.HideAxesAndGrid();
        return plot.GetImageBytes(size + 80, size, ImageFormat.Png);
    }

    /// <summary>The shuffled networks' n-cuts with the model's as a line: left of them, more clusterable than chance.</summary>
    public static byte[] ClusterabilityHistogram(double ncut, IReadOnlyList<double> shuffled, int width = 420, int height = 240)
    {
        double lo = Math.Min(ncut, shuffled.Min()), hi = Math.Max(ncut, shuffled.Max());
        double span = Math.Max(hi - lo, 1e-9);
        int bins = 20;
        var counts = new double[bins];
        foreach (double s in shuffled) counts[Math.Clamp((int)((s - lo) / span * bins), 0, bins - 1)]++;
        var plot = NewPlot();
        var bars = plot.Add.Bars(Enumerable.Range(0, bins).Select(i => lo + span * (i + 0.5) / bins).ToArray(), counts);
        foreach (var bar in bars.Bars) bar.Size = span / bins * 0.9;
        var line = plot.Add.VerticalLine(ncut);
        line.Color = Colors.Red;
        line.LineWidth = 2;
        plot.Title("n-cut of the model (red) and of its shuffled networks", 11);
        plot.XLabel("normalized cut", 10);
        plot.YLabel("shuffled networks", 10);
        plot.Axes.Left.TickGenerator = CountTicks();
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
