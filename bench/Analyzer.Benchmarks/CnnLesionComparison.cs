using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using Analyzer.Onnx.Inference;

namespace Analyzer.Benchmarks;

/// <summary>
/// The small CNN's lesion sweep, where the paper's CNN experiment spends its time: for each of the committed
/// Fashion-MNIST CNN's three node sets, one subcluster of the network-wide weight partitioning and its 19 controls (60
/// channel sets), on the 10 000 test images. Analyzer's LesionEngine (with its phase times) against PyTorch zeroing the
/// same channels with forward pre-hooks, same machine, same run, same thread count. Writes artifacts/bench/cnn-lesions.md.
/// </summary>
public static class CnnLesionComparison
{
    /// <param name="peer">False: Analyzer alone, with its phases (the peer takes about 10 minutes on 2 cores).</param>
    public static int Run(string root, bool peer = true)
    {
        string modelPath = Path.Combine(root, "onnx-models", "fmnist-cnn.onnx");
        var network = ModelNetwork.Load(modelPath);
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        var graph = WeightGraph.Build(network.Neurons);
        var partitioning = NetworkClustering.Network(network.Neurons, graph, 16, new SpectralOptions(), 0);
        var (analysed, _) = SubclusterSampler.Sample(network.Neurons, partitioning, "weights-network", 19, 0);
        var sets = analysed.GroupBy(s => s.Subcluster.NodeSet).Select(g => g.First())
            .SelectMany((s, i) => new[] { s.Subcluster.Units }.Concat(s.Controls)
                .Select((units, j) => new LesionSet($"{i}/{j}", s.Subcluster.NodeSet, units))).ToList();
        Console.Error.WriteLine($"CNN lesion sweep: {sets.Count} lesions over {sets.Select(s => s.NodeSet).Distinct().Count()} node sets " +
                                $"(sizes {string.Join(", ", sets.GroupBy(s => s.NodeSet).Select(g => g.First().Units.Length))}) x {data.Count} images");
        string specPath = Path.Combine(Path.GetTempPath(), "analyzer-bench-cnn-lesions.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(new
        {
            model = modelPath,
            sets = sets.Select(s => new { layer = network.Neurons.NodeSets[s.NodeSet].Name, units = s.Units }),
        }));

        int threads = Environment.ProcessorCount;
        var timings = new LesionPhaseTimes();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<LesionOutcome> ours;
        using (var engine = new LesionEngine(network, data, new LesionOptions { Device = ExecutionDevice.Cpu, Timings = timings }))
        {
            engine.Baseline();
            ours = engine.Evaluate(sets);
        }
        double mine = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine(FormattableString.Invariant($"Analyzer: {mine:F1} s ({timings})"));
        if (!peer) return 0;
        using var doc = PeerProcess.Run(root, "pytorch_cnn_lesions.py", specPath, threads.ToString(CultureInfo.InvariantCulture));
        double theirs = doc.RootElement.GetProperty("seconds").GetDouble();
        var accuracies = doc.RootElement.GetProperty("accuracies").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int disagreements = ours.Zip(accuracies).Count(p => Math.Abs(p.First.Accuracy - p.Second) > 0.5 / data.Count);
        var report = new StringBuilder();
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"CNN lesion sweep (fmnist-cnn, {sets.Count} channel sets over 3 node sets x {data.Count} test images), {threads} threads each"));
        report.AppendLine();
        report.AppendLine("| | Analyzer (ONNX Runtime, prefix reuse, low-rank lesions) | PyTorch, one lesion at a time (forward pre-hooks) | speed-up |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| seconds (Analyzer: session setup + baseline included) | {mine:F1} | {theirs:F1} | {theirs / mine:F1}x |"));
        report.AppendLine();
        report.AppendLine($"Analyzer's phases, summed over threads: {timings}.");
        report.AppendLine($"Lesions whose accuracies differ at all: {disagreements} of {sets.Count}.");
        Console.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "bench"));
        File.WriteAllText(Path.Combine(root, "artifacts", "bench", "cnn-lesions.md"), report.ToString());
        return 0;
    }
}
