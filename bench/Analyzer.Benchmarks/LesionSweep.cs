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
/// What the lesion comparisons share: a model's subclusters of the network-wide weight partitioning (k = 16) with their
/// 19 controls as lesion sets, and one timed run of Analyzer's LesionEngine (with its phases) beside a PyTorch peer
/// doing the same lesions one at a time with forward pre-hooks, same machine, same run, same thread count.
/// </summary>
public static class LesionSweep
{
    /// <summary>Each analysed subcluster (of the node sets <paramref name="pick"/> keeps) with its controls, as lesion sets.</summary>
    public static (ModelNetwork Network, ImageDataset Data, List<LesionSet> Sets) Subclusters(string modelPath,
        Func<IEnumerable<ControlledSubcluster>, IEnumerable<ControlledSubcluster>> pick)
    {
        var network = ModelNetwork.Load(modelPath);
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        var graph = WeightGraph.Build(network.Neurons);
        var partitioning = NetworkClustering.Network(network.Neurons, graph, 16, new SpectralOptions(), 0);
        var (analysed, _) = SubclusterSampler.Sample(network.Neurons, partitioning, "weights-network", 19, 0);
        var sets = pick(analysed).SelectMany((s, i) => new[] { s.Subcluster.Units }.Concat(s.Controls)
            .Select((units, j) => new LesionSet($"{i}/{j}", s.Subcluster.NodeSet, units))).ToList();
        return (network, data, sets);
    }

    /// <param name="title">The report's first line, before the thread count.</param>
    /// <param name="peerScript">The peer under bench/peers/, given the sets file and the thread count.</param>
    /// <param name="tolerance">Predictions by which an accuracy may differ from the peer's (float rounding).</param>
    /// <param name="peer">False: Analyzer alone, with its phases.</param>
    public static int Compare(string root, string modelPath, ModelNetwork network, ImageDataset data, IReadOnlyList<LesionSet> sets,
        string title, string peerScript, int tolerance, string artifact, bool peer)
    {
        string specPath = Path.Combine(Path.GetTempPath(), $"analyzer-bench-{artifact}.json");
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
        using var doc = PeerProcess.Run(root, peerScript, specPath, threads.ToString(CultureInfo.InvariantCulture));
        double theirs = doc.RootElement.GetProperty("seconds").GetDouble();
        var accuracies = doc.RootElement.GetProperty("accuracies").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int disagreements = ours.Zip(accuracies).Count(p => Math.Abs(p.First.Accuracy - p.Second) > (tolerance + 0.5) / data.Count);
        var report = new StringBuilder();
        report.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{title}, {threads} threads each"));
        report.AppendLine();
        report.AppendLine("| | Analyzer (ONNX Runtime, prefix reuse, low-rank lesions, concurrent streams) | PyTorch, one lesion at a time (forward pre-hooks) | speed-up |");
        report.AppendLine("|---|---|---|---|");
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| seconds (Analyzer: session setup + baseline included) | {mine:F1} | {theirs:F1} | {theirs / mine:F1}x |"));
        report.AppendLine();
        report.AppendLine($"Analyzer's phases, summed over threads: {timings}.");
        report.AppendLine($"Lesions whose accuracies differ by more than {tolerance} of {data.Count} predictions: {disagreements} of {sets.Count}.");
        Console.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "bench"));
        File.WriteAllText(Path.Combine(root, "artifacts", "bench", $"{artifact}.md"), report.ToString());
        return 0;
    }
}
