using System.Diagnostics;
using System.Text.Json;

namespace Analyzer.Benchmarks;

/// <summary>Runs a Python peer script with Debian's interpreter and returns the JSON of its last output line.</summary>
public static class PeerProcess
{
    public static JsonDocument Run(string root, string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3", [Path.Combine(root, "bench", "peers", script), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // These variables pin OpenBLAS to an old kernel on some machines here; the peer gets its best kernel.
        start.Environment.Remove("OPENBLAS_CORETYPE");
        start.Environment.Remove("OPENBLAS_L2_SIZE");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (install the tools with ./build.sh tools): {error}");
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]);
    }
}
