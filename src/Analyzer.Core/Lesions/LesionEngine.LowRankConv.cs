using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>Lesions of node sets read by a conv, as one grouped conv over the removed channels of several lesions.</summary>
public sealed partial class LesionEngine
{
    private sealed record ConvReaderInfo(string Input, string Output, int NodeIndex, int InChannels, int OutChannels, int KernelSize,
        float[] Kernel, long[] KernelShape, IReadOnlyList<(string Name, long[] Ints, string? Text)> Attributes);

    /// <summary>A node set read by a plain (group 1) Conv with a constant kernel: its reader, for rank-|set| lesions.</summary>
    private ConvReaderInfo? ConvReader(int nodeSet)
    {
        var set = network.Neurons.NodeSets[nodeSet];
        var layer = network.Neurons.Trace.Layers[set.ReaderLayer];
        if (!layer.Convolution) return null;
        var node = network.Graph.Nodes[layer.NodeIndex];
        if (OperatorRegistry.Find(node.OpType)?.ConvKernel(node, network.Shapes) is not { } kernel) return null;
        int kernelSize = (int)(kernel.Shape[2] * kernel.Shape[3]);
        return new ConvReaderInfo(node.Inputs[0], node.Outputs[0], layer.NodeIndex, (int)kernel.Shape[1], (int)kernel.Shape[0], kernelSize,
            kernel.Values, kernel.Shape, kernel.Attributes);
    }

    /// <summary>
    /// Lesions of a node set read by a conv: the prefix, cut after the conv, gives its input x and unlesioned output
    /// y0 once per chunk; a lesion of input channels U subtracts conv_U(x_U), the conv restricted to those channels,
    /// computed for several equal-size lesions at once as one grouped conv, then the layers after the reader run.
    /// </summary>
    private LowRankSweep ConvSweep(int nodeSet, ConvReaderInfo reader, List<LesionSet> sets, Tally[] tallies, int chunkSize, Action<int>? progress)
    {
        // The grouped conv's group count is fixed in the model: every run holds M lesions, padded with empty ones, and
        // each lesion's channels are padded with zero kernels to the run's largest lesion. M is no more than the sets
        // there are, and M·chunk rows of the reader's output (y0 and the lesioned copy) and of everything the suffix
        // computes after it stay within the memory budget.
        long rowBytes = (2 * ElementsPerExample(reader.Output) + network.ActivationValuesPerExample(reader.NodeIndex)) * sizeof(float);
        long byBudget = StreamBudget / Math.Max(1, rowBytes * chunkSize);
        int lesionsPerRun = (int)Math.Clamp(Math.Min(byBudget, options.RowsPerRun / chunkSize), 1, sets.Count);
        var stage = Stage(nodeSet, reader.NodeIndex, reader.Input, reader.Output,
            () => rewriter.LowRankConvSuffix(reader.NodeIndex, [.. reader.Attributes, ("group", [lesionsPerRun], null)]), lesionsPerRun);
        var ordered = sets.Select(set => set.Units.Order().ToArray()).ToArray();
        return new LowRankSweep(stage, reader.Input, reader.Output, chunk =>
        {
            int count = chunk.Count;
            var (x, xShape) = chunk.X;
            var (y0, yShape) = chunk.Y0;
            int plane = (int)(xShape[2] * xShape[3]);
            var runs = new List<Action>();
            for (int first = 0; first < sets.Count; first += lesionsPerRun)
            {
                int from = first, used = Math.Min(lesionsPerRun, sets.Count - first), m = lesionsPerRun;
                runs.Add(() =>
                {
                    int r = Math.Max(1, Enumerable.Range(from, used).Max(j => ordered[j].Length));
                    // xu [count, m·r, H, W]: lesion j's removed channels; wu [m·C_out, r, kh, kw]: their kernels.
                    long since = System.Diagnostics.Stopwatch.GetTimestamp();
                    var xu = new float[(long)count * m * r * plane];
                    var wu = new float[m * reader.OutChannels * r * reader.KernelSize];
                    for (int j = 0; j < used; j++)
                    {
                        var removed = ordered[from + j];
                        for (int q = 0; q < removed.Length; q++)
                        {
                            int c = removed[q];
                            for (int e = 0; e < count; e++)
                                Array.Copy(x, ((long)e * reader.InChannels + c) * plane, xu, (((long)e * m + j) * r + q) * plane, plane);
                            for (int o = 0; o < reader.OutChannels; o++)
                                Array.Copy(reader.Kernel, (o * reader.InChannels + c) * reader.KernelSize, wu,
                                    ((j * reader.OutChannels + o) * r + q) * reader.KernelSize, reader.KernelSize);
                        }
                    }
                    options.Timings?.Add(LesionPhaseTimes.Phase.Inputs, since);
                    RunLowRank(stage, chunk,
                    [
                        new(LesionRewriter.BaseOutput, y0, yShape),
                        new(LesionRewriter.RemovedInputs, xu, [count, m * r, xShape[2], xShape[3]]),
                        new(LesionRewriter.RemovedWeights, wu, [m * reader.OutChannels, r, reader.KernelShape[2], reader.KernelShape[3]]),
                        TensorInput.Int64(LesionRewriter.StackedShape, [count, m, yShape[1], yShape[2], yShape[3]]),
                        TensorInput.Int64(LesionRewriter.FlatShape, [m * count, yShape[1], yShape[2], yShape[3]]),
                    ], m, used, tallies, from);
                    progress?.Invoke(used * count);
                });
            }
            return runs;
        });
    }
}
