using System.Diagnostics;

namespace Analyzer.Cli;

/// <summary>
/// Progress of long work on the error stream: a line at most every two seconds with the fraction done and an ETA.
/// Plain lines, so that logs and non-terminals read it as well as people do.
/// </summary>
public sealed class ProgressLine(TextWriter error, string task, long total)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long done;
    private double lastReport = -10;

    public void Advance(long amount)
    {
        done += amount;
        double elapsed = clock.Elapsed.TotalSeconds;
        if (elapsed - lastReport < 2 && done < total) return;
        lastReport = elapsed;
        double fraction = total == 0 ? 1 : Math.Min(1, done / (double)total);
        string eta = fraction > 0 && fraction < 1 ? $", about {Format(elapsed / fraction - elapsed)} left" : "";
        error.WriteLine($"{task}: {fraction:P0} ({Format(elapsed)} elapsed{eta})");
    }

    private static string Format(double seconds) =>
        seconds < 90 ? $"{seconds:F0} s" : seconds < 5400 ? $"{seconds / 60:F0} min" : $"{seconds / 3600:F1} h";
}
