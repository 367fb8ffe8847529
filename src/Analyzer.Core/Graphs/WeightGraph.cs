namespace Analyzer.Core.Graphs;

/// <summary>
/// The graph from weights (METHOD.md 2): a layer joins its input node set to every node set its outputs reach; the edge
/// from input unit i to a reached unit u is the sum over u's origins (layer output j, scale s) of |s| x the layer's
/// folded |W| between j and i (entrywise L1 for conv kernels). Symmetric, no self-loops.
/// </summary>
public static class WeightGraph
{
    public static DenseGraph Build(NeuronGraph graph)
    {
        int n = graph.NodeCount;
        var a = new double[(long)n * n];
        var inputSetOfLayer = graph.NodeSets.Where(s => s.ReaderLayer >= 0).ToDictionary(s => s.ReaderLayer);
        foreach (var target in graph.NodeSets)
            for (int u = 0; u < target.Units; u++)
                foreach (var term in target.UnitOrigins[u].Terms)
                {
                    if (term.Layer < 0 || !inputSetOfLayer.TryGetValue(term.Layer, out var source))
                        continue;
                    var layer = graph.Trace.Layers[term.Layer];
                    int row = target.Offset + u;
                    double scale = Math.Abs(term.OutScale);
                    for (int i = 0; i < source.Units; i++)
                    {
                        double w = scale * layer.Weight(term.Unit, i);
                        int col = source.Offset + i;
                        a[(long)row * n + col] += w;
                        a[(long)col * n + row] += w;
                    }
                }
        for (int i = 0; i < n; i++) a[(long)i * n + i] = 0;
        return new DenseGraph(n, a);
    }
}
