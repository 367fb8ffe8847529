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
/// diagonal block: the correlations of its units are the same whichever other units are in the matrix. The graph is
/// held in float32 tiles (<see cref="TiledGraph"/>), in memory within the memory budget and on disk beyond it, so its
/// size is bounded by the disk, not by memory (docs/design.md, activation graphs).
/// </summary>
public sealed class ActivationGraph : IDisposable
{
    private ActivationGraph(GraphLayout layout, TiledGraph graph, bool[] constant, int sampleCount)
    {
        Layout = layout;
        Graph = graph;
        Constant = constant;
        SampleCount = sampleCount;
    }

    public GraphLayout Layout { get; }
    public TiledGraph Graph { get; }
    public bool[] Constant { get; }
    public int SampleCount { get; }

    /// <param name="data">The examples to sample from (the training split of a named dataset).</param>
    /// <param name="sampleCount">Examples drawn with the seed (docs/method.md §3: 5000 by default).</param>
    /// <param name="stage">Called at the start of each long stage (capture, correlations) with what it does and its
    /// count of steps; returns what hears of the steps done.</param>
    public static ActivationGraph Build(ModelNetwork network, ImageDataset data, int sampleCount, int seed, Preprocessing preprocessing,
        ExecutionDevice device, ISpearmanKernel? kernel = null, Action<string>? note = null, Func<string, long, Action<int>>? stage = null,
        MemoryBudget? memoryBudget = null)
    {
        kernel ??= new SpearmanCpuKernel();
        var budget = memoryBudget ?? MemoryBudget.Default;
        var points = PreActivationPoints.Find(network);
        var examples = ActivationCapture.Sample(data.Count, sampleCount, seed);
        int units = points.Sum(p => p.NodeSet.Units);
        CheckFits(network, units, examples.Length, budget);
        var samples = ActivationCapture.Capture(network, data, examples, points, preprocessing, device, memoryBudget, note,
            stage?.Invoke($"capturing pre-activations of {examples.Length} examples", examples.Length), unitMajor: true);
        var layout = GraphLayout.Packed(points.Select(p => p.NodeSet));
        var ranks = SpearmanRanks.InPlace(samples, examples.Length, units);
        var graph = TiledGraph.Compute(units, budget.Bytes, (rowStart, rows, colStart, cols, tile) =>
            kernel.SquaredTile(ranks, rowStart, rows, colStart, cols, tile),
            stage?.Invoke($"correlating {units} units ({TiledGraph.Tiles(units)} tiles)", TiledGraph.Tiles(units)));
        return new ActivationGraph(layout, graph, ranks.Constant, examples.Length);
    }

    /// <summary>
    /// Refuses, before capturing anything, a graph that would not fit: the ranked samples (8·s·n bytes) stay in
    /// memory, and the correlation tiles (2·n² bytes) in memory within the budget, else on the temporary disk.
    /// </summary>
    private static void CheckFits(ModelNetwork network, long units, int samples, MemoryBudget budget)
    {
        long tiles = TiledGraph.TileBytes(units);
        bool inMemory = TiledGraph.TilesInMemory(units, budget.Bytes);
        double needed = 8.0 * samples * units + (inMemory ? tiles : 0);
        long available = MemoryLimitException.Available;
        if (needed > 0.8 * available)
            throw new MemoryLimitException($"{network.Path}: an activation graph of {units} units from {samples} samples needs " +
                $"{MemoryLimitException.GiB(needed)}, more than the {MemoryLimitException.GiB(available)} this process can use; " +
                "use fewer samples (--samples), or weight edges");
        if (!inMemory)
        {
            string folder = Path.GetTempPath();
            long free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
            if (tiles > free)
                throw new MemoryLimitException($"{network.Path}: an activation graph of {units} units needs {MemoryLimitException.GiB(tiles)} " +
                    $"of temporary disk beyond the memory budget, and {folder} has {MemoryLimitException.GiB(free)} free; " +
                    "set TMPDIR to a larger disk, raise --memory-budget, or use weight edges");
        }
    }

    /// <summary>The within-layer correlation graph of one node set.</summary>
    public DenseGraph LayerGraph(NodeSet set)
    {
        int position = Layout.Sets.Select(s => s.Index).ToList().IndexOf(set.Index);
        return Graph.DenseSubgraph(Enumerable.Range(Layout.Offsets[position], set.Units).ToList());
    }

    public void Dispose() => Graph.Dispose();
}
