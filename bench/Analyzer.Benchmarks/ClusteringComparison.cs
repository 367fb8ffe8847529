using Analyzer.Core.Networks;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Benchmarks;

/// <summary>
/// Side-by-side timing of network-wide spectral clustering: Analyzer's SpectralPartitioner against scikit-learn's
/// SpectralClustering (ARPACK + k-means) on the same adjacency, on this machine, in one run. Both start from the
/// adjacency matrix; both include the embedding and k-means. Writes artifacts/bench/clustering.md.
/// </summary>
public static class ClusteringComparison
{
    private sealed record Case(string Name, WeightedGraph Graph, int K);

    private sealed record PeerResult(double[] Seconds, double Ncut, string[] Blas);

    public static int Run(int repeats)
    {
        string root = FindRoot();
        var cases = new List<Case>
        {
            new("fmnist-mlp weight graph", WeightGraph.Build(ModelNetwork.Load(Path.Combine(root, "onnx-models", "fmnist-mlp.onnx")).Neurons), 16),
            new("dense random 4224 (VGG-16 size)", Synthetic(4224, 32, seed: 7), 32),
        };
        var report = new StringBuilder();
        report.AppendLine($"Spectral clustering, Analyzer vs scikit-learn, {Environment.ProcessorCount} cores, median of {repeats}");
        report.AppendLine();
        report.AppendLine("| graph | n | k | Analyzer (s) | scikit-learn (s) | speed-up | Analyzer ncut | scikit-learn ncut |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        string blas = "";
        foreach (var c in cases)
        {
            Console.Error.WriteLine($"{c.Name}: n = {c.Graph.N}, k = {c.K}");
            string dir = Path.Combine(Path.GetTempPath(), "analyzer-bench");
            Directory.CreateDirectory(dir);
            string npy = Path.Combine(dir, $"adjacency-{c.Graph.N}.npy");
            NpyFile.WriteMatrix(npy, c.Graph.ToDense(), c.Graph.N, c.Graph.N);

            SpectralPartitioner.Partition(c.Graph, c.K, new SpectralOptions(), seed: 0); // warm-up (JIT)
            var ours = new List<double>();
            Partition? partition = null;
            for (int r = 0; r < repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                partition = SpectralPartitioner.Partition(c.Graph, c.K, new SpectralOptions(), seed: 0);
                ours.Add(clock.Elapsed.TotalSeconds);
            }
            var peer = RunPeer(root, npy, c.K, repeats);
            blas = string.Join(", ", peer.Blas);
            double mine = Median(ours), theirs = Median(peer.Seconds);
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {c.Name} | {c.Graph.N} | {c.K} | {mine:F2} | {theirs:F2} | {theirs / mine:F1}x | {partition!.NormalizedCut:F4} | {peer.Ncut:F4} |"));
        }
        report.AppendLine();
        report.AppendLine($"scikit-learn's BLAS: {blas}");
        Console.WriteLine(report);
        string outDir = Path.Combine(root, "artifacts", "bench");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "clustering.md"), report.ToString());
        return 0;
    }

    /// <summary>A dense graph with weak planted blocks: |U - 1/2| weights, four times stronger inside a block.</summary>
    public static DenseGraph Synthetic(int n, int blocks, int seed)
    {
        var rng = new Random(seed);
        var block = Enumerable.Range(0, n).Select(_ => rng.Next(blocks)).ToArray();
        var a = new double[(long)n * n];
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double w = Math.Abs(rng.NextDouble() - 0.5) * (block[i] == block[j] ? 4 : 1);
                a[(long)i * n + j] = a[(long)j * n + i] = w;
            }
        return new DenseGraph(n, a);
    }

    private static PeerResult RunPeer(string root, string npy, int k, int repeats)
    {
        using var doc = PeerProcess.Run(root, "sklearn_spectral.py", npy, k.ToString(CultureInfo.InvariantCulture),
            repeats.ToString(CultureInfo.InvariantCulture));
        return new PeerResult(
            doc.RootElement.GetProperty("seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            doc.RootElement.GetProperty("ncut").GetDouble(),
            doc.RootElement.GetProperty("blas").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
    }

    public static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Analyzer.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }
}
