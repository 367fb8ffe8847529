using Analyzer.Core.Networks;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx.Inference;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Benchmarks;

/// <summary>
/// Feature visualisation, the same optimisation twice in one run: Analyzer (generated ONNX backward graph on ONNX
/// Runtime, CPU kernels for the warp and Adam) against PyTorch autograd (grid_sample + torch.optim.Adam), same model,
/// batch, steps, starting parameters and per-step transforms (exported from Analyzer's schedules), same thread count.
/// Also compares the final images. Writes artifacts/bench/visualisation.md.
/// </summary>
public static class VisualisationComparison
{
    private const int Repeats = 5;

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <param name="Target">The PyTorch module whose output is the node set's pre-activation.</param>
    private sealed record Workload(string Kind, string Model, string NodeSet, string Target, int Images, int SetSize);

    public static int Run(string root)
    {
        var report = new StringBuilder();
        int threads = Environment.ProcessorCount;
        report.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Feature visualisation (100 Adam steps, lr 0.05, random jitter/scale each step; {threads} threads each)"));
        report.AppendLine();
        report.AppendLine($"Median of {Repeats} alternating runs each; Analyzer's time includes creating its ONNX Runtime sessions, PyTorch's is the loop alone.");
        report.AppendLine();
        report.AppendLine("| workload | Analyzer (s) | PyTorch autograd (s) | speed-up | final images: largest pixel difference | final objective ratio (ours/PyTorch, mean) |");
        report.AppendLine("|---|---|---|---|---|---|");
        double cnnMine = 0, cnnTheirs = 0;
        foreach (var w in new[]
        {
            // The CNN's three analysed layers, as `analyze` visualises them (a batch per layer); the deepest costs most.
            new Workload("cnn", "fmnist-cnn.onnx", "/conv2/Conv", "conv1", 60, 8),
            new Workload("cnn", "fmnist-cnn.onnx", "/conv3/Conv", "conv2", 60, 8),
            new Workload("cnn", "fmnist-cnn.onnx", "/fc1/Gemm", "conv3", 60, 8),
            new Workload("mlp", "fmnist-mlp.onnx", "/fc4/Gemm", "fc4", 200, 16),
        })
        {
            var (row, mine, theirs) = Compare(root, w, threads);
            report.AppendLine(row);
            if (w.Kind != "cnn") continue;
            cnnMine += mine;
            cnnTheirs += theirs;
            if (w.NodeSet == "/fc1/Gemm")
                report.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| fmnist-cnn.onnx, all three layers (sum of the medians) | {cnnMine:F2} | {cnnTheirs:F2} | {cnnTheirs / cnnMine:F2}x | | |"));
        }
        Console.WriteLine(report);
        Directory.CreateDirectory(Path.Combine(root, "artifacts", "bench"));
        File.WriteAllText(Path.Combine(root, "artifacts", "bench", "visualisation.md"), report.ToString());
        return 0;
    }

    private static (string Row, double Mine, double Theirs) Compare(string root, Workload w, int threads)
    {
        const int steps = 100;
        string modelPath = Path.Combine(root, "onnx-models", w.Model);
        var network = ModelNetwork.Load(modelPath);
        var point = PreActivationPoints.Find(network).Single(p => p.NodeSet.Name == w.NodeSet);
        int units = point.NodeSet.Units;
        var rng = new Random(7);
        var objectives = Enumerable.Range(0, w.Images).Select(i => new VisualisationObjective($"{i}", point,
            Enumerable.Range(0, units).OrderBy(_ => rng.Next()).Take(w.SetSize).Order().ToArray(), 1000 + i)).ToList();

        // The schedules Analyzer will follow, exported for the peer.
        string dir = Path.Combine(Path.GetTempPath(), $"analyzer-bench-vis-{w.Kind}-{w.Target}");
        Directory.CreateDirectory(dir);
        var init = new double[w.Images * 784];
        var warps = new double[steps * w.Images * 6];
        var masks = new double[w.Images * units];
        var parameters = new float[784];
        for (int i = 0; i < w.Images; i++)
        {
            var schedule = new VisualisationSchedule(objectives[i].Seed, 28, 28, transforms: true);
            schedule.InitialParameters(parameters);
            for (int k = 0; k < 784; k++) init[i * 784 + k] = parameters[k];
            for (int s = 0; s < steps; s++)
            {
                var a = schedule.NextWarp();
                double[] row = [a.A, a.B, a.C, a.D, a.Tx, a.Ty];
                for (int k = 0; k < 6; k++) warps[(s * w.Images + i) * 6 + k] = row[k];
            }
            foreach (int u in objectives[i].Units) masks[i * units + u] = 1;
        }
        NpyFile.WriteMatrix(Path.Combine(dir, "init.npy"), init, w.Images, 784);
        NpyFile.WriteMatrix(Path.Combine(dir, "warps.npy"), warps, steps * w.Images, 6);
        NpyFile.WriteMatrix(Path.Combine(dir, "masks.npy"), masks, w.Images, units);
        string specPath = Path.Combine(dir, "spec.json");
        File.WriteAllText(specPath, JsonSerializer.Serialize(new
        {
            model = modelPath, kind = w.Kind, target = w.Target, init = Path.Combine(dir, "init.npy"), warps = Path.Combine(dir, "warps.npy"),
            masks = Path.Combine(dir, "masks.npy"), steps, lr = 0.05, @out = Path.Combine(dir, "peer.npy"),
        }));

        Console.Error.WriteLine($"visualisation {w.Kind} {w.NodeSet}: {w.Images} images x {steps} steps at {w.NodeSet}, {Repeats} alternating runs each");
        var mineTimes = new List<double>();
        var theirTimes = new List<double>();
        IReadOnlyList<VisualisationResult> ours = [];
        JsonDocument? peer = null;
        for (int repeat = 0; repeat < Repeats; repeat++)
        {
            var clock = Stopwatch.StartNew();
            using (var visualizer = new FeatureVisualizer(network, Preprocessing.Default, new VisualisationOptions { Device = ExecutionDevice.Cpu, Steps = steps }))
                ours = visualizer.Run(objectives);
            mineTimes.Add(clock.Elapsed.TotalSeconds);
            peer?.Dispose();
            peer = PeerProcess.Run(root, "pytorch_visualize.py", specPath, threads.ToString(CultureInfo.InvariantCulture));
            theirTimes.Add(peer.RootElement.GetProperty("seconds").GetDouble());
        }
        double mine = Median(mineTimes), theirs = Median(theirTimes);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  Analyzer {string.Join(", ", mineTimes.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} s; PyTorch {string.Join(", ", theirTimes.Select(t => t.ToString("F2", CultureInfo.InvariantCulture)))} s"));
        using var doc = peer!;

        var theirObjective = doc.RootElement.GetProperty("objective").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var (theirImages, _, _) = NpyFile.ReadMatrix(Path.Combine(dir, "peer.npy"));
        double maxDifference = 0, sumDifference = 0;
        for (int i = 0; i < w.Images; i++)
            for (int k = 0; k < 784; k++)
            {
                double difference = Math.Abs(ours[i].Image[k] - theirImages[i * 784 + k]);
                maxDifference = Math.Max(maxDifference, difference);
                sumDifference += difference;
            }
        double ratio = ours.Select((r, i) => r.Score / theirObjective[i]).Average();
        return (string.Create(CultureInfo.InvariantCulture,
            $"| {w.Model}, {w.Images} images at {w.NodeSet} ({w.SetSize} units each) | {mine:F2} | {theirs:F2} | {theirs / mine:F2}x | {maxDifference:G3} (mean {sumDifference / (w.Images * 784):G3}) | {ratio:F4} |"),
            mine, theirs);
    }
}
