using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Onnx.Inference;

namespace Analyzer.Benchmarks;

/// <summary>
/// The MLP's lesion sweep (every subcluster of the network-wide weight partitioning x its 19 controls + itself, on the
/// 10 000 Fashion-MNIST test images): Analyzer's LesionEngine against PyTorch doing the same lesions one at a time with
/// forward pre-hooks, same machine, same run, same thread count. Writes artifacts/bench/lesions.md.
/// </summary>
public static class LesionComparison
{
    public static int Run(string root)
    {
        string modelPath = Path.Combine(root, "onnx-models", "fmnist-mlp.onnx");
        var network = ModelNetwork.Load(modelPath);
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        var graph = WeightGraph.Build(network.Neurons);
        var partitioning = NetworkClustering.Network(network.Neurons, graph, 16, new SpectralOptions(), 0);
        var (analysed, _) = SubclusterSampler.Sample(network.Neurons, partitioning, "weights-network", 19, 0);
        var sets = analysed.SelectMany((s, i) => new[] { s.Subcluster.Units }.Concat(s.Controls)
            .Select((units, j) => new LesionSet($"{i}/{j}", s.Subcluster.NodeSet, units))).ToList();
        Console.Error.WriteLine($"lesion sweep: {analysed.Count} subclusters, {sets.Count} lesions x {data.Count} images");

        string specPath = Path.Combine(Path.GetTempPath(), "analyzer-bench-lesions.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(new
        {
            model = modelPath,
            sets = sets.Select(s => new { layer = network.Neurons.NodeSets[s.NodeSet].Name, units = s.Units }),
        }));

        int threads = Environment.ProcessorCount;
        var timings = new LesionPhaseTimes();
        var clock = Stopwatch.StartNew();
        using (var engine = new LesionEngine(network, data, new LesionOptions { Device = ExecutionDevice.Cpu, Timings = timings }))
        {
            engine.Baseline();
            var ours = engine.Evaluate(sets);
            double mine = clock.Elapsed.TotalSeconds;
            Console.Error.WriteLine(FormattableString.Invariant($"Analyzer: {mine:F1} s ({timings})"));
            if (Environment.GetEnvironmentVariable("ANALYZER_BENCH_OURS") == "1") return 0;
            var (theirs, accuracies) = RunPeer(root, specPath, threads);
            int disagreements = ours.Zip(accuracies).Count(p => Math.Abs(p.First.Accuracy - p.Second) > 5.0 / data.Count);
            var report = new StringBuilder();
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"MLP lesion sweep (fmnist-mlp, {sets.Count} lesions x {data.Count} test images), {threads} threads each"));
            report.AppendLine();
            report.AppendLine("| | Analyzer (ONNX Runtime, prefix reuse, low-rank lesions, one stream per core) | PyTorch, one lesion at a time (forward pre-hooks) | speed-up |");
            report.AppendLine("|---|---|---|---|");
            report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| seconds (Analyzer: session setup + baseline included) | {mine:F1} | {theirs:F1} | {theirs / mine:F1}x |"));
            report.AppendLine();
            report.AppendLine($"Analyzer's phases, summed over threads: {timings}.");
            report.AppendLine($"Lesions whose accuracies differ by more than 5 of {data.Count} predictions: {disagreements}.");
            Console.WriteLine(report);
            Directory.CreateDirectory(Path.Combine(root, "artifacts", "bench"));
            File.WriteAllText(Path.Combine(root, "artifacts", "bench", "lesions.md"), report.ToString());
        }
        return 0;
    }

    private static (double Seconds, double[] Accuracies) RunPeer(string root, string specPath, int threads)
    {
        using var doc = PeerProcess.Run(root, "pytorch_lesions.py", specPath, threads.ToString(CultureInfo.InvariantCulture));
        return (doc.RootElement.GetProperty("seconds").GetDouble(),
            doc.RootElement.GetProperty("accuracies").EnumerateArray().Select(e => e.GetDouble()).ToArray());
    }
}
