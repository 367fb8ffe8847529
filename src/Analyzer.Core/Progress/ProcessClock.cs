using System.Diagnostics;
using System.Globalization;

namespace Analyzer.Core.Progress;

/// <summary>How long this process has run: what a user has waited for so far, runtime start included.</summary>
public static class ProcessClock
{
    /// <summary>Seconds since this process started.</summary>
    public static double Seconds()
    {
        try
        {
            // Linux: the start time in clock ticks since boot (field 22 of /proc/self/stat, after the parenthesised name).
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double started = long.Parse(fields[19], CultureInfo.InvariantCulture) / 100.0;
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
            return Math.Max(0, uptime - started);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            using var process = Process.GetCurrentProcess();
            return Math.Max(0, (DateTime.Now - process.StartTime).TotalSeconds);
        }
    }
}
