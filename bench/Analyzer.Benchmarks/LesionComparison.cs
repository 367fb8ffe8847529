namespace Analyzer.Benchmarks;

/// <summary>
/// The MLP's lesion sweep (every subcluster of the network-wide weight partitioning x its 19 controls + itself, on the
/// 10 000 Fashion-MNIST test images) beside PyTorch (<see cref="LesionSweep"/>). Writes artifacts/bench/lesions.md.
/// </summary>
public static class LesionComparison
{
    /// <param name="peer">False: Analyzer alone, with its phases.</param>
    public static int Run(string root, bool peer = true)
    {
        string modelPath = Path.Combine(root, "onnx-models", "fmnist-mlp.onnx");
        var (network, data, sets) = LesionSweep.Subclusters(modelPath, all => all);
        Console.Error.WriteLine($"MLP lesion sweep: {sets.Count} lesions x {data.Count} images");
        return LesionSweep.Compare(root, modelPath, network, data, sets,
            $"MLP lesion sweep (fmnist-mlp, {sets.Count} lesions x {data.Count} test images)", "pytorch_lesions.py", 5, "lesions", peer);
    }
}
