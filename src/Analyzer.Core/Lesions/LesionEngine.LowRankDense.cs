using Analyzer.Kernels.LinearAlgebra;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Operators;

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

    /// <summary>Whether the sweep runs on the CPU (no CUDA device asked for or found), where the engine's own kernels
    /// are the faster path.</summary>
    private bool OnCpu => options.Device == ExecutionDevice.Cpu || !Analyzer.Kernels.IlgpuDevice.CudaAvailable();

    private sealed record DenseReaderInfo(string Input, string Output, int Features, int Outputs, float[] Weights,
        int[][] FeaturesOfUnit, int NodeIndex);

    /// <summary>
    /// Lesions of a node set read by a dense layer y = x W' (+ bias): the prefix, cut after the reader, gives x and the
    /// unlesioned y0 once per chunk; a lesion of units U gives y = y0 - x[:, F_U] W'[F_U, :], a rank-|F_U| update
    /// (<see cref="RankUpdate"/>), and several lesions' outputs, stacked, go through the layers after the reader as one
    /// batch: the engine's own sparse <see cref="DenseChain"/> on the CPU when those layers are one, else ONNX Runtime
    /// (docs/design.md, lesion speed).
    /// </summary>
    private LowRankSweep DenseSweep(int nodeSet, DenseReaderInfo reader, List<LesionSet> sets, Tally[] tallies, Action<int>? progress)
    {
        var stage = Stage(nodeSet, reader.NodeIndex, reader.Input, reader.Output, () => rewriter.AfterReader(reader.NodeIndex),
            ownSuffix: () => options.SparseSuffix && OnCpu && SparseInputLayer.Vectorised ? DenseChain.After(network, reader.Output, rewriter.Output) : null);
        int outputs = reader.Outputs, features = reader.Features;
        var removedOf = sets.Select(set => set.Units.SelectMany(u => reader.FeaturesOfUnit[u]).Order().ToArray()).ToArray();
        // The stacked outputs are reused between runs and chunks (fresh megabyte arrays for every run were a third of the
        // sweep: zeroing, page faults and collections); chunks run one after another.
        var buffers = new System.Collections.Concurrent.ConcurrentBag<float[]>();
        return new LowRankSweep(stage, reader.Input, reader.Output, chunk =>
        {
            int count = chunk.Count;
            float[] x = chunk.X.Data, y0 = chunk.Y0.Data;
            // The engine's chain takes lesions in fours (rows of one example under four lesions share each weight load).
            int perRun = Math.Clamp(stage.Chain is null ? options.RowsPerRun / count : Math.Max(8, options.RowsPerRun / count / 4 * 4), 1, sets.Count);
            var runs = new List<Action>();
            for (int first = 0; first < sets.Count; first += perRun)
            {
                int from = first, lesions = Math.Min(perRun, sets.Count - first);
                if (stage.Chain is DenseChain chain)
                {
                    // The rank updates fill each block of the chain as it goes, in the cache, instead of a stacked array.
                    var weights = reader.Weights;
                    runs.Add(() =>
                    {
                        RunChain(() => chain.Run(lesions, count, (at, n, rows) =>
                        {
                            for (int j = 0; j < lesions; j++)
                                RankUpdate.Subtract(y0.AsSpan(at * outputs, n * outputs), x.AsSpan(at * features, n * features), features,
                                    removedOf[from + j], weights, rows.Slice(j * n * outputs, n * outputs), n, outputs);
                        }), chunk.Start, count, lesions, tallies, from);
                        progress?.Invoke(lesions * count);
                    });
                    continue;
                }
                runs.Add(() =>
                {
                    long since = System.Diagnostics.Stopwatch.GetTimestamp();
                    long length = (long)lesions * count * outputs;
                    if (!buffers.TryTake(out var lesioned) || lesioned.LongLength != length) lesioned = new float[length];
                    for (int j = 0; j < lesions; j++)
                        RankUpdate.Subtract(y0, x, features, removedOf[from + j], reader.Weights,
                            lesioned.AsSpan(j * count * outputs, count * outputs), count, outputs);
                    options.Timings?.Add(LesionPhaseTimes.Phase.Inputs, since);
                    RunLowRank(stage, chunk, [new(reader.Output, lesioned, [lesions * count, outputs])], lesions, lesions, tallies, from);
                    buffers.Add(lesioned);
                    progress?.Invoke(lesions * count);
                });
            }
            return runs;
        });
    }
}
