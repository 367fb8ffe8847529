using Analyzer.Core.Memory;
using Analyzer.Core.Networks;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Kernels.Spearman;
using Analyzer.Onnx.Inference;

namespace Analyzer.Core.Activations;

/// <summary>
/// The graph from activations (docs/method.md §3): edge = squared Spearman correlation of two units' pre-activations over
/// the samples; units whose values are constant are invalid. A layer's within-layer graph (layer-wise scope) is its
/// diagonal block: the correlations of its units are the same whichever other units are in the matrix.
/// </summary>
public sealed class ActivationGraph
{
    private ActivationGraph(GraphLayout layout, DenseGraph graph, bool[] constant, int sampleCount)
    {
        Layout = layout;
        Graph = graph;
        Constant = constant;
        SampleCount = sampleCount;
    }

    public GraphLayout Layout { get; }
    public DenseGraph Graph { get; }
    public bool[] Constant { get; }
    public int SampleCount { get; }

    /// <param name="data">The examples to sample from (the training split of a named dataset).</param>
    /// <param name="sampleCount">Examples drawn with the seed (docs/method.md §3: 5000 by default).</param>
    public static ActivationGraph Build(ModelNetwork network, ImageDataset data, int sampleCount, int seed, Preprocessing preprocessing,
        ExecutionDevice device, ISpearmanKernel? kernel = null, Action<string>? note = null, Action<int>? progress = null,
        MemoryBudget? memoryBudget = null)
    {
        kernel ??= new SpearmanCpuKernel();
        var points = PreActivationPoints.Find(network);
        var examples = ActivationCapture.Sample(data.Count, sampleCount, seed);
        CheckFits(network, points.Sum(p => (long)p.NodeSet.Units), examples.Length);
        var samples = ActivationCapture.Capture(network, data, examples, points, preprocessing, device, memoryBudget, note, progress);
        var layout = GraphLayout.Packed(points.Select(p => p.NodeSet));
        int units = layout.NodeCount;
        var r2 = kernel.SquaredCorrelations(samples, examples.Length, units, out var constant);
        return new ActivationGraph(layout, new DenseGraph(units, r2), constant, examples.Length);
    }

    /// <summary>
    /// Refuses, before capturing anything, a graph whose dense correlation matrix (8·n² bytes) and the three sample
    /// matrices beside it (samples, ranks and their transpose, 8·s·n bytes each) would not fit: the activation graph of
    /// an ImageNet CNN with 100 000 units needs 80 GB, where the weight graph of the same model stays in blocks.
    /// </summary>
    private static void CheckFits(ModelNetwork network, long units, int samples)
    {
        double needed = 8.0 * units * units + 24.0 * samples * units;
        long available = MemoryLimitException.Available;
        string advice = "use weight edges, whose graph is stored in blocks, or a model with fewer units";
        if (units * units > Array.MaxLength)
            throw new MemoryLimitException($"{network.Path}: an activation graph of {units} units needs a {units} x {units} correlation matrix, " +
                $"beyond the largest array .NET allocates (n <= {(int)Math.Sqrt(Array.MaxLength)}); {advice}");
        if (needed > 0.8 * available)
            throw new MemoryLimitException($"{network.Path}: an activation graph of {units} units from {samples} samples needs " +
                $"{MemoryLimitException.GiB(needed)}, more than the {MemoryLimitException.GiB(available)} this process can use; " +
                $"use fewer samples, or {advice}");
    }

    /// <summary>The within-layer correlation graph of one node set.</summary>
    public DenseGraph LayerGraph(NodeSet set)
    {
        int position = Layout.Sets.Select(s => s.Index).ToList().IndexOf(set.Index);
        return Graph.DenseSubgraph(Enumerable.Range(Layout.Offsets[position], set.Units).ToList());
    }
}
