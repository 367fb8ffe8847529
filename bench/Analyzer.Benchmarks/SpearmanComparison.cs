using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analyzer.Kernels.Spearman;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Benchmarks;

/// <summary>
/// Squared Spearman matrices of 10 000 x 1818 and 5000 x 4224 random samples (with ties): Analyzer's CPU kernel against
/// scipy.stats.spearmanr (numpy with OpenBLAS), same machine, same run. Writes artifacts/bench/spearman.md.
/// </summary>
public static class SpearmanComparison
{
    public static int Run(string root, int repeats = 3)
    {
        var report = new StringBuilder();
        report.AppendLine($"Squared Spearman matrices, Analyzer vs scipy.stats.spearmanr, {Environment.ProcessorCount} cores, median of {repeats}");
        report.AppendLine();
        report.AppendLine("| samples x units | Analyzer (s) | scipy (s) | speed-up | max abs difference of r² sums / units² |");
        report.AppendLine("|---|---|---|---|---|");
        string blas = "";
        foreach (var (samples, units) in new[] { (10_000, 1818), (5000, 4224) })
        {
            Console.Error.WriteLine($"spearman {samples} x {units}");
            var rng = new Random(samples + units);
            // Rounded values give ties, as ReLU-free activations of a trained network sometimes do.
            var data = new double[(long)samples * units];
            for (long i = 0; i < data.LongLength; i++) data[i] = Math.Round(rng.NextDouble() * 1000) / 10;
            string npy = Path.Combine(Path.GetTempPath(), $"analyzer-bench-spearman-{samples}x{units}.npy");
            NpyFile.WriteMatrix(npy, data, samples, units);
            var kernel = new SpearmanCpuKernel();
            var times = new List<double>();
            double checksum = 0;
            kernel.SquaredCorrelations(data, samples, units, out _); // warm-up
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                var r2 = kernel.SquaredCorrelations(data, samples, units, out _);
                times.Add(clock.Elapsed.TotalSeconds);
                checksum = r2.Sum();
            }
            using var peer = PeerProcess.Run(root, "scipy_spearman.py", npy, repeats.ToString(CultureInfo.InvariantCulture));
            var peerTimes = peer.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).OrderBy(t => t).ToArray();
            double peerChecksum = peer.RootElement.GetProperty("checksum").GetDouble();
            blas = string.Join(", ", peer.RootElement.GetProperty("blas").EnumerateArray().Select(e => e.GetString()));
            double mine = times.Order().ElementAt(times.Count / 2), theirs = peerTimes[peerTimes.Length / 2];
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {samples} x {units} | {mine:F2} | {theirs:F2} | {theirs / mine:F1}x | {Math.Abs(checksum - peerChecksum) / ((double)units * units):E1} |"));
            File.Delete(npy);
        }
        report.AppendLine();
        report.AppendLine($"scipy's BLAS: {blas}");
        Console.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "bench"));
        File.WriteAllText(Path.Combine(root, "artifacts", "bench", "spearman.md"), report.ToString());
        return 0;
    }
}
