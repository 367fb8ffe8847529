using Analyzer.Core.Analysis;
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
        long memoryBudget = 256L << 20)
    {
        kernel ??= new SpearmanCpuKernel();
        var points = PreActivationPoints.Find(network);
        var examples = ActivationCapture.Sample(data.Count, sampleCount, seed);
        var samples = ActivationCapture.Capture(network, data, examples, points, preprocessing, device, memoryBudget, note, progress);
        var layout = GraphLayout.Packed(points.Select(p => p.NodeSet));
        int units = layout.NodeCount;
        var r2 = kernel.SquaredCorrelations(samples, examples.Length, units, out var constant);
        return new ActivationGraph(layout, new DenseGraph(units, r2), constant, examples.Length);
    }

    /// <summary>The within-layer correlation graph of one node set.</summary>
    public DenseGraph LayerGraph(NodeSet set)
    {
        int position = Layout.Sets.Select(s => s.Index).ToList().IndexOf(set.Index);
        return Graph.DenseSubgraph(Enumerable.Range(Layout.Offsets[position], set.Units).ToList());
    }
}
