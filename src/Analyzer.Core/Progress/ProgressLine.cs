using System.Diagnostics;

namespace Analyzer.Core.Progress;

/// <summary>
/// Progress of long work on the error stream: a line at most every two seconds with the fraction done and an ETA.
/// Plain lines, so that logs and non-terminals read it as well as people do. The ETA waits until the work has run for
/// a few seconds and done a few percent: the first steps include warm-up (sessions, first-call compilation) and
/// extrapolate to nonsense ("about 9 min left" for a 14-second sweep). Parallel workers may advance it at once.
/// </summary>
public sealed class ProgressLine(TextWriter error, string task, long total)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private long done;
    private double lastReport = -10;
    private readonly Lock gate = new();

    public void Advance(long amount)
    {
        lock (gate) Report(amount);
    }

    private void Report(long amount)
    {
        done += amount;
        double elapsed = clock.Elapsed.TotalSeconds;
        if (elapsed - lastReport < 2 && done < total) return;
        lastReport = elapsed;
        double fraction = total == 0 ? 1 : Math.Min(1, done / (double)total);
        bool settled = elapsed >= 3 && fraction >= 0.03;
        string eta = fraction >= 1 ? "" : settled ? $", about {Format(elapsed / fraction - elapsed)} left" : ", estimating the time left";
        error.WriteLine($"{task}: {fraction:P0} ({Format(elapsed)} elapsed{eta})");
    }

    private static string Format(double seconds) =>
        seconds < 90 ? $"{seconds:F0} s" : seconds < 5400 ? $"{seconds / 60:F0} min" : $"{seconds / 3600:F1} h";
}
