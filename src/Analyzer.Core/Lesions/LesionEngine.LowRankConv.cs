using Analyzer.Kernels.LinearAlgebra;
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
        var geometry = ConvGeometry.Of(new ConvKernel(reader.Kernel, reader.KernelShape, reader.Attributes));
        var stage = Stage(nodeSet, reader.NodeIndex, reader.Input, reader.Output,
            () => rewriter.LowRankConvSuffix(reader.NodeIndex, [.. reader.Attributes, ("group", [lesionsPerRun], null)]), lesionsPerRun,
            ownSuffix: () => options.SparseConvSuffix && OnCpu && SparseInputLayer.Vectorised && geometry is not null ? ConvChain.After(network, reader.Output, rewriter.Output) : null);
        var ordered = sets.Select(set => set.Units.Order().ToArray()).ToArray();
        if (stage.Chain is ConvChain chain) return ChainSweep(stage, chain, reader, geometry!, ordered, tallies, progress);
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

    /// <summary>
    /// Lesions of a node set read by a conv whose later layers are a <see cref="ConvChain"/>: for each example, its reader
    /// output under each lesion of channels U is y0 − conv_U(x_U), the conv restricted to those channels as a rank update
    /// of y0 over its receptive fields on those channels (<see cref="RankUpdate.SubtractFields"/>), pixel-major, then the
    /// chain takes all of that example's lesioned maps together.
    /// </summary>
    private LowRankSweep ChainSweep(LowRankStage stage, ConvChain chain, ConvReaderInfo reader, ConvGeometry geometry, int[][] ordered,
        Tally[] tallies, Action<int>? progress)
    {
        int taps = reader.KernelSize, kernelWidth = (int)reader.KernelShape[3], outputs = reader.OutChannels, pixels = chain.Height * chain.Width;
        // Per set: W_U [(tap, removed channel) x output], in the order of its receptive fields' features.
        var removedWeights = ordered.Select(units =>
        {
            var w = new float[taps * units.Length * outputs];
            for (int t = 0; t < taps; t++)
                for (int q = 0; q < units.Length; q++)
                    for (int o = 0; o < outputs; o++)
                        w[(t * units.Length + q) * outputs + o] = reader.Kernel[(o * reader.InChannels + units[q]) * taps + t];
            return w;
        }).ToArray();
        // The chain takes lesions in fours (four lesions of one example share each weight load).
        const int perRun = 8;
        return new LowRankSweep(stage, reader.Input, reader.Output, chunk =>
        {
            int count = chunk.Count;
            var (x, xShape) = chunk.X;
            float[] y0 = chunk.Y0.Data;
            int height = (int)xShape[2], width = (int)xShape[3], plane = height * width;
            var runs = new List<Action>();
            for (int first = 0; first < ordered.Length; first += perRun)
            {
                int from = first, lesions = Math.Min(perRun, ordered.Length - first);
                runs.Add(() =>
                {
                    var basePixels = new float[pixels * outputs];
                    RunChain(() => chain.Run(lesions, count, (e, n, maps) =>
                    {
                        Transpose(y0.AsSpan(e * outputs * pixels, outputs * pixels), outputs, pixels, basePixels);
                        var input = x.AsSpan(e * reader.InChannels * plane, reader.InChannels * plane);
                        for (int l = 0; l < n; l++)
                        {
                            var fields = new ReceptiveFields(input, height, width, ordered[from + l], (int)reader.KernelShape[2], kernelWidth,
                                (geometry.Pads.Top, geometry.Pads.Left), geometry.Strides, geometry.Dilations, chain.Height, chain.Width);
                            RankUpdate.SubtractFields(basePixels, fields, removedWeights[from + l], maps.Slice(l * chain.MapSize, chain.MapSize), outputs);
                        }
                    }), chunk.Start, count, lesions, tallies, from);
                    progress?.Invoke(lesions * count);
                });
            }
            return runs;
        });
    }

    /// <summary>A [rows x cols] matrix as [cols x rows] (written in order: strided reads cost less than strided writes).</summary>
    private static void Transpose(ReadOnlySpan<float> from, int rows, int cols, Span<float> into)
    {
        for (int j = 0; j < cols; j++)
        {
            var row = into.Slice(j * rows, rows);
            for (int i = 0; i < rows; i++) row[i] = from[i * cols + j];
        }
    }
}
