namespace Analyzer.Benchmarks;

/// <summary>
/// The small CNN's lesion sweep, where the paper's CNN experiment spends its time: for each of the committed
/// Fashion-MNIST CNN's three node sets, one subcluster of the network-wide weight partitioning and its 19 controls (60
/// channel sets), on the 10 000 test images, beside PyTorch zeroing the same channels (<see cref="LesionSweep"/>).
/// Writes artifacts/bench/cnn-lesions.md.
/// </summary>
public static class CnnLesionComparison
{
    /// <param name="peer">False: Analyzer alone, with its phases (the peer takes about 12 minutes on 2 cores).</param>
    public static int Run(string root, bool peer = true)
    {
        string modelPath = Path.Combine(root, "onnx-models", "fmnist-cnn.onnx");
        var (network, data, sets) = LesionSweep.Subclusters(modelPath, all => all.GroupBy(s => s.Subcluster.NodeSet).Select(g => g.First()));
        Console.Error.WriteLine($"CNN lesion sweep: {sets.Count} lesions over {sets.Select(s => s.NodeSet).Distinct().Count()} node sets " +
                                $"(sizes {string.Join(", ", sets.GroupBy(s => s.NodeSet).Select(g => g.First().Units.Length))}) x {data.Count} images");
        return LesionSweep.Compare(root, modelPath, network, data, sets,
            $"CNN lesion sweep (fmnist-cnn, {sets.Count} channel sets over 3 node sets x {data.Count} test images)", "pytorch_cnn_lesions.py",
            0, "cnn-lesions", peer);
    }
}
