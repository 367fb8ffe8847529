using Analyzer.Kernels.LinearAlgebra;

namespace Analyzer.Core.Graphs;

/// <summary>
/// The graph from weights (docs/method.md §2): a layer joins its input node set to every node set its outputs reach;
/// the edge from input unit i to a reached unit u is the sum over u's origins (layer output j, scale s) of |s| x the
/// layer's folded |W| between j and i (entrywise L1 for conv kernels). A layer whose input is not a node set (a
/// transformer MLP's first layer, reading the residual stream) is composed with the nearest layer before it that has
/// one: the edge is |the composite linear map| between the two node sets. Symmetric, no self-loops; stored as blocks
/// between node sets (<see cref="BlockGraph"/>).
/// </summary>
public static class WeightGraph
{
    public static BlockGraph Build(NeuronGraph graph)
    {
        var layers = graph.Trace.Layers;
        var inputSetOfLayer = graph.NodeSets.Where(s => s.ReaderLayer >= 0).ToDictionary(s => s.ReaderLayer);
        var blocks = new List<BlockGraph.Block>();
        var weights = new LayerWeightCache(layers);
        foreach (var target in graph.NodeSets)
        {
            // Direct contributions, per source node set: |s| · |W_L[j, i]|.
            var direct = new Dictionary<int, (int Lo, int Hi)>();
            var composed = new Dictionary<int, List<(int Unit, OriginTerm Term)>>(); // by layer L without an input set
            for (int u = 0; u < target.Units; u++)
                foreach (var term in target.UnitOrigins[u].Terms)
                {
                    if (term.Layer < 0) continue;
                    if (inputSetOfLayer.TryGetValue(term.Layer, out var source))
                        direct[source.Index] = direct.TryGetValue(source.Index, out var r) ? (Math.Min(r.Lo, u), Math.Max(r.Hi, u)) : (u, u);
                    else
                    {
                        if (!composed.TryGetValue(term.Layer, out var list)) composed[term.Layer] = list = [];
                        list.Add((u, term));
                    }
                }
            foreach (var (sourceIndex, (lo, hi)) in direct.OrderBy(p => p.Key))
            {
                var source = graph.NodeSets[sourceIndex];
                int cols = hi - lo + 1;
                var values = new double[(long)source.Units * cols];
                for (int u = lo; u <= hi; u++)
                    foreach (var term in target.UnitOrigins[u].Terms)
                    {
                        if (term.Layer < 0 || !inputSetOfLayer.TryGetValue(term.Layer, out var s) || s.Index != sourceIndex) continue;
                        var w = weights[term.Layer];
                        double scale = Math.Abs(term.OutScale);
                        long row = (long)term.Unit * source.Units;
                        for (int i = 0; i < source.Units; i++)
                            values[(long)i * cols + u - lo] += scale * Math.Abs(w[row + i]);
                    }
                Add(blocks, source.Offset, source.Units, target.Offset + lo, cols, values);
            }
            foreach (var (sourceIndex, signed) in Composites(graph, inputSetOfLayer, target, composed, weights).OrderBy(p => p.Key))
            {
                var source = graph.NodeSets[sourceIndex];
                // signed is [target units x source units]; the block is [source x target].
                var values = new double[(long)source.Units * target.Units];
                for (int u = 0; u < target.Units; u++)
                    for (int i = 0; i < source.Units; i++)
                        values[(long)i * target.Units + u] = Math.Abs(signed[(long)u * source.Units + i]);
                Add(blocks, source.Offset, source.Units, target.Offset, target.Units, values);
            }
            Recurrent(blocks, layers, target);
        }
        return new BlockGraph(graph.NodeCount, blocks);
    }

    /// <summary>
    /// Edges within a node set whose units come from a recurrent layer (docs/method.md §2, recurrent layers): unit u
    /// and unit v of the same layer are joined by |s_u|·|s_v|·(D[j_u, j_v] + D[j_v, j_u]), D the layer's absolute
    /// weights from its own previous outputs — the two directed edges of the recurrence, made one undirected edge. The
    /// diagonal (a unit's recurrence on itself) is a self-loop and left out; the edges go in one strip per row above it.
    /// </summary>
    private static void Recurrent(List<BlockGraph.Block> blocks, IReadOnlyList<TracedLayer> layers, NodeSet target)
    {
        var byLayer = new Dictionary<int, List<(int Unit, OriginTerm Term)>>();
        for (int u = 0; u < target.Units; u++)
            foreach (var term in target.UnitOrigins[u].Terms)
                if (term.Layer >= 0 && layers[term.Layer].ComputeRecurrentWeights is not null)
                {
                    if (!byLayer.TryGetValue(term.Layer, out var list)) byLayer[term.Layer] = list = [];
                    list.Add((u, term));
                }
        if (byLayer.Count == 0) return;
        var strips = new double[target.Units][];
        foreach (var (layerIndex, members) in byLayer)
        {
            var d = layers[layerIndex].ComputeRecurrentWeights!();
            int outputs = layers[layerIndex].Outputs;
            foreach (var (u, a) in members)
                foreach (var (v, b) in members)
                {
                    if (v <= u) continue;
                    double value = Math.Abs(a.OutScale) * Math.Abs(b.OutScale) * (d[(long)a.Unit * outputs + b.Unit] + d[(long)b.Unit * outputs + a.Unit]);
                    if (value == 0) continue;
                    strips[u] ??= new double[target.Units - u - 1];
                    strips[u][v - u - 1] += value;
                }
        }
        for (int u = 0; u < target.Units; u++)
            if (strips[u] is { } row)
                blocks.Add(new BlockGraph.Block(target.Offset + u, 1, target.Offset + u + 1, row.Length, row));
    }

    /// <summary>Each layer's weights, computed once per graph and dropped with it.</summary>
    private sealed class LayerWeightCache(IReadOnlyList<TracedLayer> layers)
    {
        private readonly Dictionary<int, double[]> computed = [];

        public double[] this[int layer] => computed.TryGetValue(layer, out var w) ? w : computed[layer] = layers[layer].ComputeWeights();
    }

    private static void Add(List<BlockGraph.Block> blocks, int rowStart, int rows, int colStart, int cols, double[] values)
    {
        if (rowStart == colStart) return; // a set joined to itself would be a self-loop
        if (values.AsSpan().IndexOfAnyExcept(0.0) >= 0)
            blocks.Add(new BlockGraph.Block(rowStart, rows, colStart, cols, values));
    }

    /// <summary>
    /// For target units whose origin is a layer L without an input node set: the signed composite of L with the
    /// nearest earlier layer L2 that has one (the latest among the layers L's input units come from), through L's input
    /// units d: C[u, i] = s_u · Σ_d W_L[j_u, d] · s_d · W_L2[j_d, i]. Returns, per source node set, C as
    /// [target units x source units].
    /// </summary>
    private static Dictionary<int, double[]> Composites(NeuronGraph graph, Dictionary<int, NodeSet> inputSetOfLayer, NodeSet target,
        Dictionary<int, List<(int Unit, OriginTerm Term)>> composed, LayerWeightCache weights)
    {
        var layers = graph.Trace.Layers;
        var result = new Dictionary<int, double[]>();
        foreach (var (layerIndex, members) in composed)
        {
            var layer = layers[layerIndex];
            if (!layer.Signed) continue; // conv reading the image: nothing to compose with
            int nearest = layer.InputUnits.SelectMany(d => d.Terms).Where(t => t.Layer >= 0 && inputSetOfLayer.ContainsKey(t.Layer))
                .Select(t => t.Layer).DefaultIfEmpty(-1).Max();
            if (nearest < 0) continue;
            var previous = layers[nearest];
            var source = inputSetOfLayer[nearest];
            if (!previous.Signed) continue;
            int d = layer.InputUnitCount, m = source.Units;
            // R[d, i] = s_d · W_L2[j_d, i] over the terms of d from L2.
            var r = new double[(long)d * m];
            for (int k = 0; k < d; k++)
                foreach (var term in layer.InputUnits[k].Terms.Where(t => t.Layer == nearest))
                    for (int i = 0; i < m; i++)
                        r[(long)k * m + i] += term.OutScale * weights[nearest][(long)term.Unit * m + i];
            // A[u, d] = s_u · W_L[j_u, d] for the target units u with a term from L.
            var a = new double[(long)target.Units * d];
            foreach (var (u, term) in members)
                for (int k = 0; k < d; k++)
                    a[(long)u * d + k] += term.OutScale * weights[layerIndex][(long)term.Unit * d + k];
            var c = new double[(long)target.Units * m];
            DenseProduct.Multiply(a, d, r, m, c, m, target.Units, d, m);
            if (result.TryGetValue(source.Index, out var sum))
                for (long e = 0; e < c.Length; e++) sum[e] += c[e];
            else
                result[source.Index] = c;
        }
        return result;
    }
}
