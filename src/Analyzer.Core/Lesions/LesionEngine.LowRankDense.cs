using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>Lesions of node sets read by a dense layer, as rank-|set| updates of the layer's cached output.</summary>
public sealed partial class LesionEngine
{
    /// <summary>The signed weights of a node set's dense reader as W'[feature, output] (its scales folded in), with the
    /// names of its data input and output; null when the reader is not a dense layer with one constant matrix
    /// (<see cref="OperatorDefinition.DenseMatrix"/>) on [batch, features].</summary>
    private DenseReaderInfo? DenseReader(int nodeSet)
    {
        var set = network.Neurons.NodeSets[nodeSet];
        var layer = network.Neurons.Trace.Layers[set.ReaderLayer];
        if (layer.Convolution || layer.InputShape.Length != 2) return null;
        var node = network.Graph.Nodes[layer.NodeIndex];
        int features = (int)layer.InputShape[1], outputs = layer.Outputs;
        if (OperatorRegistry.Find(node.OpType)?.DenseMatrix(node, network.Shapes, features, outputs) is not { } w) return null;
        var featureUnits = layer.FeatureUnits ?? Enumerable.Range(0, features).ToArray();
        var featuresOf = Enumerable.Range(0, set.Units).Select(u => new List<int>()).ToArray();
        for (int f = 0; f < features; f++) featuresOf[featureUnits[f]].Add(f);
        return new DenseReaderInfo(node.Inputs[0], node.Outputs[0], features, outputs, w, featuresOf.Select(l => l.ToArray()).ToArray(), layer.NodeIndex);
    }

    private sealed record DenseReaderInfo(string Input, string Output, int Features, int Outputs, float[] Weights,
        int[][] FeaturesOfUnit, int NodeIndex);

    /// <summary>
    /// Lesions of a node set read by a dense layer y = x W' (+ bias): the prefix, cut after the reader, gives x and the
    /// unlesioned y0 once per chunk; a lesion of units U gives y = y0 - x[:, F_U] W'[F_U, :], a rank-|F_U| update
    /// computed by ONNX Runtime as one batched MatMul for several lesions of equal size, followed by the layers after
    /// the reader.
    /// </summary>
    private LowRankSweep DenseSweep(int nodeSet, DenseReaderInfo reader, List<LesionSet> sets, Tally[] tallies, Action<int>? progress)
    {
        var stage = Stage(nodeSet, reader.NodeIndex, reader.Input, reader.Output, () => rewriter.LowRankSuffix(reader.NodeIndex));
        int outputs = reader.Outputs, features = reader.Features;
        // Features removed by each lesion; an empty lesion removes one dummy feature with zero weight.
        var removedOf = sets.Select(set => set.Units.SelectMany(u => reader.FeaturesOfUnit[u]).Order().ToArray()).ToArray();
        return new LowRankSweep(stage, reader.Input, reader.Output, chunk =>
        {
            int count = chunk.Count;
            float[] x = chunk.X.Data, y0 = chunk.Y0.Data;
            int masksPerRun = Math.Clamp(options.RowsPerRun / count, 1, sets.Count);
            var runs = new List<Action>();
            for (int first = 0; first < sets.Count;)
            {
                // Lesions of equal size share one batched MatMul.
                int size = removedOf[first].Length, m = 1;
                while (m < masksPerRun && first + m < sets.Count && removedOf[first + m].Length == size) m++;
                int from = first, lesions = m;
                runs.Add(() =>
                {
                    int r = Math.Max(1, size);
                    long since = System.Diagnostics.Stopwatch.GetTimestamp();
                    var xu = new float[lesions * count * r];
                    var wu = new float[lesions * r * outputs];
                    for (int j = 0; j < lesions; j++)
                    {
                        var removed = removedOf[from + j];
                        for (int q = 0; q < removed.Length; q++)
                        {
                            int f = removed[q];
                            for (int e = 0; e < count; e++) xu[(j * count + e) * r + q] = x[e * features + f];
                            Array.Copy(reader.Weights, f * outputs, wu, (j * r + q) * outputs, outputs);
                        }
                    }
                    options.Timings?.Add(LesionPhaseTimes.Phase.Inputs, since);
                    RunLowRank(stage, chunk,
                    [
                        new(LesionRewriter.BaseOutput, y0, [count, outputs]),
                        new(LesionRewriter.RemovedInputs, xu, [lesions, count, r]),
                        new(LesionRewriter.RemovedWeights, wu, [lesions, r, outputs]),
                    ], lesions, lesions, tallies, from);
                    progress?.Invoke(lesions * count);
                });
                first += m;
            }
            return runs;
        });
    }
}
