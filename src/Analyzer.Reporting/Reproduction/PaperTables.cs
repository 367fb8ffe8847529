namespace Analyzer.Reporting.Reproduction;

/// <summary>One published cell: the Fisher statistic (mean over 5 replicates) with its p-value, and the effect ± SE.</summary>
public sealed record PublishedCell(double Fisher, double P, double Effect, double Se);

/// <summary>
/// The paper's published values for the networks `reproduce` trains (Hod et al., Tables 7 and 8: MNIST MLPs and small
/// CNNs, 5 replicates each), keyed by family (mnist-mlp, mnist-cnn), partitioning (weights-network, ...) and measure.
/// The paper gives no small-network rows for Fashion-MNIST.
/// </summary>
public static class PaperTables
{
    private static readonly string[] Partitionings = ["weights-network", "weights-layer", "activations-network", "activations-layer"];
    private static readonly string[] Measures = ["acc-drop", "class-range", "vis-score", "softmax-entropy"];

    // Rows in the paper's order (Weight/Network, Weight/Layer, Act./Network, Act./Layer); per row the four measures as
    // (Fisher, p, effect, SE), transcribed from Table 7 (lesions) and Table 8 (feature visualisation).
    private static readonly double[][] MnistMlp =
    [
        [2.13, 1e-17, 1.123, 0.058, 0.91, 0.82, 0.701, 0.036, 1.32, 0.001, 1.003, 0.004, 0.92, 0.71, 1.105, 0.021],
        [2.05, 5e-27, 1.061, 0.048, 0.91, 0.91, 0.676, 0.029, 1.21, 0.002, 1.024, 0.004, 1.23, 0.023, 0.931, 0.016],
        [1.46, 2e-11, 0.883, 0.038, 1.00, 0.56, 0.646, 0.024, 1.34, 4e-5, 1.020, 0.003, 1.15, 0.025, 0.997, 0.013],
        [1.69, 6e-22, 0.929, 0.040, 1.03, 0.32, 0.687, 0.025, 1.36, 9e-7, 1.026, 0.003, 1.12, 0.013, 1.011, 0.012],
    ];

    private static readonly double[][] MnistCnn =
    [
        [1.29, 2e-5, 0.837, 0.048, 0.84, 0.98, 0.527, 0.031, 1.10, 0.082, 0.998, 0.004, 0.93, 0.86, 1.026, 0.008],
        [1.10, 0.063, 0.814, 0.046, 0.94, 0.82, 0.635, 0.033, 1.02, 0.34, 1.004, 0.003, 0.99, 0.52, 1.007, 0.007],
        [1.73, 4e-10, 1.078, 0.061, 0.70, 1.00, 0.543, 0.039, 1.09, 0.27, 0.933, 0.006, 0.90, 0.83, 1.025, 0.011],
        [1.46, 2e-7, 0.939, 0.060, 0.92, 0.84, 0.625, 0.043, 1.05, 0.22, 0.925, 0.005, 0.98, 0.67, 0.970, 0.010],
    ];

    /// <summary>The published cell, or null where the paper has none.</summary>
    public static PublishedCell? Of(string family, string partitioning, string measure)
    {
        var rows = family switch { "mnist-mlp" => MnistMlp, "mnist-cnn" => MnistCnn, _ => null };
        int row = Array.IndexOf(Partitionings, partitioning), column = Array.IndexOf(Measures, measure);
        if (rows is null || row < 0 || column < 0) return null;
        var v = rows[row].AsSpan(4 * column, 4);
        return new PublishedCell(v[0], v[1], v[2], v[3]);
    }

    /// <summary>The paper's name of a family's row ("MLP, MNIST").</summary>
    public static string RowName(string family) => family switch
    {
        "mnist-mlp" => "MLP, MNIST",
        "mnist-cnn" => "CNN, MNIST",
        "fmnist-mlp" => "MLP, Fashion-MNIST",
        "fmnist-cnn" => "CNN, Fashion-MNIST",
        _ => family,
    };
}
