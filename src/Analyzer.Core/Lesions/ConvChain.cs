using System.Buffers;
using System.Runtime.Intrinsics;
using Analyzer.Core.Networks;
using Analyzer.Kernels.LinearAlgebra;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>
/// The layers after a conv reader when they are rectifiers, plain max-pools and plain convs on feature maps, then a
/// flattening into a <see cref="DenseChain"/> that ends at the model's output (a small CNN's suffix): the lesioned
/// reader maps go through them on the CPU, held pixel-major, each conv a <see cref="SparseConvLayer"/> multiplying only
/// its inputs' nonzero values, instead of through ONNX Runtime's dense convolutions (docs/design.md, lesion speed). A
/// ReLU before a max-pool is applied after it (the maximum of rectified values is the rectified maximum). The
/// operators come from the registry: <see cref="OperatorTraits.Rectifier"/>, <see cref="OperatorDefinition.MaxWindow"/>,
/// <see cref="OperatorDefinition.ConvKernel"/>, and a reshape that keeps the elements' order.
/// </summary>
internal sealed class ConvChain : IOwnSuffix
{
    /// <summary>One step on maps [height][width][channels]; its input passes through max(·, 0) first when rectified.</summary>
    private abstract record Step(bool Rectified, int InputSize, int OutputSize);

    private sealed record Pool(bool Rectified, PoolWindow Window, int Height, int Width, int Channels, int OutHeight, int OutWidth)
        : Step(Rectified, Height * Width * Channels, OutHeight * OutWidth * Channels);

    private sealed record Convolution(bool Rectified, SparseConvLayer Layer) : Step(Rectified, Layer.InputSize, Layer.OutputSize);

    private readonly IReadOnlyList<Step> steps;
    private readonly DenseChain tail;

    private ConvChain(int height, int width, int channels, IReadOnlyList<Step> steps, DenseChain tail) =>
        (Height, Width, Channels, this.steps, this.tail) = (height, width, channels, steps, tail);

    /// <summary>The reader's output map: height, width, channels.</summary>
    public int Height { get; }

    public int Width { get; }

    public int Channels { get; }

    public int MapSize => Height * Width * Channels;

    public int Outputs => tail.Outputs;

    public long Bytes => steps.OfType<Convolution>().Sum(c => c.Layer.Bytes) + tail.Bytes;

    /// <summary>The chain from <paramref name="readerOutput"/> [batch, channels, height, width] to
    /// <paramref name="modelOutput"/>, or null when anything else lies between them.</summary>
    public static ConvChain? After(ModelNetwork network, string readerOutput, string modelOutput)
    {
        var graph = network.Graph;
        var shapes = network.Shapes;
        if (shapes.ShapeOf(readerOutput) is not [_, var c0, var h0, var w0] || c0 <= 0 || h0 <= 0 || w0 <= 0) return null;
        var steps = new List<Step>();
        string current = readerOutput;
        bool rectify = false;
        while (true)
        {
            if (current == modelOutput || graph.Outputs.Any(o => o.Name == current)) return null;
            // A node reading only the tensor's shape (an exporter's Shape before a flattening Reshape) computes nothing from it.
            var readers = graph.Nodes.Where(n => n.Inputs.Contains(current) && OperatorRegistry.Find(n.OpType)?.Traits.ReadsShapeOnly != true).ToList();
            if (readers.Count != 1 || readers[0].Outputs.Count == 0 || readers[0].Input(0) != current) return null;
            var node = readers[0];
            var op = OperatorRegistry.Find(node.OpType);
            if (op is null || shapes.ShapeOf(current) is not [_, var channels, var height, var width]) return null;
            var (c, h, w) = ((int)channels, (int)height, (int)width);
            string next = node.Outputs[0];
            var nextShape = shapes.ShapeOf(next);
            if (op.Traits.Rectifier && node.Inputs.Count == 1)
            {
                rectify = true;
            }
            else if (op.MaxWindow(node) is { } window && nextShape is [_, var pc, var ph, var pw] && pc == c
                     && ph == (h - window.KernelHeight) / window.StrideHeight + 1 && pw == (w - window.KernelWidth) / window.StrideWidth + 1 && ph > 0 && pw > 0)
            {
                steps.Add(new Pool(rectify, window, h, w, c, (int)ph, (int)pw));
                rectify = false;
            }
            else if (op.ConvKernel(node, shapes) is { } kernel && ConvGeometry.Of(kernel) is { Unit: true } geometry && kernel.Shape[1] == c
                     && ConvBias(node, shapes, (int)kernel.Shape[0]) is { } bias && kernel.Values.All(float.IsFinite))
            {
                var layer = new SparseConvLayer(kernel.Values, bias, c, (int)kernel.Shape[0], (int)kernel.Shape[2], (int)kernel.Shape[3], h, w, geometry.Pads);
                if (nextShape is not [_, var oc, var oh, var ow] || oc != layer.Outputs || oh != layer.OutHeight || ow != layer.OutWidth) return null;
                steps.Add(new Convolution(rectify, layer));
                rectify = false;
            }
            else if (op.Flow == ChannelFlow.Rearrange && nextShape is [_, var features] && features == (long)c * h * w
                     && op.SourceIndex(node, shapes) is null)
            {
                // Flattened, the tensor's feature c·h·w + p is pixel p's channel c, which the maps hold at p·c + c.
                var order = new int[c * h * w];
                for (int p = 0; p < h * w; p++)
                    for (int k = 0; k < c; k++) order[p * c + k] = k * h * w + p;
                return DenseChain.After(network, next, modelOutput, order, rectify) is { } tail
                    ? new ConvChain((int)h0, (int)w0, (int)c0, steps, tail) : null;
            }
            else return null;
            current = next;
        }
    }

    /// <summary>A conv's constant bias [outputs] (zeros without one); null when it is computed.</summary>
    private static float[]? ConvBias(Onnx.Model.OnnxNode node, Onnx.Shapes.InferredShapes shapes, int outputs)
    {
        if (node.Inputs.Count < 3 || node.Inputs[2].Length == 0) return new float[outputs];
        return shapes.ConstantOf(node.Inputs[2]) is { } b && b.Shape is [var n] && n == outputs ? b.AsDoubles().Select(v => (float)v).ToArray() : null;
    }

    /// <summary>Fills <c>maps</c> [lesions][height][width][channels] with the reader's output for example
    /// <c>example</c> under every lesion.</summary>
    public delegate void ReaderMaps(int example, int lesions, Span<float> maps);

    /// <summary>The model's outputs [lesions·examples x outputs], lesion-major (as <see cref="DenseChain.Run"/>): each
    /// example's maps under every lesion go through the map steps together (four lesions of one example share each
    /// weight load), then blocks of examples through the dense layers.</summary>
    public float[] Run(int lesions, int examples, ReaderMaps readerMaps)
    {
        int largest = steps.Select(s => s.OutputSize).Append(MapSize).Max();
        int flat = tail.Inputs;
        var pool = ArrayPool<float>.Shared;
        var a = pool.Rent(lesions * largest);
        var b = pool.Rent(lesions * largest);
        try
        {
            return tail.Run(lesions, examples, (first, count, rows) =>
            {
                for (int e = 0; e < count; e++)
                {
                    readerMaps(first + e, lesions, a.AsSpan(0, lesions * MapSize));
                    var (from, to) = (a, b);
                    foreach (var step in steps)
                    {
                        Apply(step, from, lesions, to);
                        (from, to) = (to, from);
                    }
                    for (int l = 0; l < lesions; l++) from.AsSpan(l * flat, flat).CopyTo(rows.Slice((l * count + e) * flat, flat));
                }
            });
        }
        finally
        {
            pool.Return(a);
            pool.Return(b);
        }
    }

    private static void Apply(Step step, float[] from, int maps, float[] to)
    {
        switch (step)
        {
            case Convolution conv:
                conv.Layer.Apply(from.AsSpan(0, maps * conv.InputSize), maps, conv.Rectified, to.AsSpan(0, maps * conv.OutputSize), 1);
                break;
            case Pool pool:
                for (int m = 0; m < maps; m++)
                    MaxPool(pool, from.AsSpan(m * pool.InputSize, pool.InputSize), to.AsSpan(m * pool.OutputSize, pool.OutputSize));
                break;
        }
    }

    /// <summary>One map's max-pool (then max(·, 0) when the step is rectified), eight channels at a time.</summary>
    private static void MaxPool(Pool pool, ReadOnlySpan<float> input, Span<float> output)
    {
        int c = pool.Channels, vectors = Vector256.IsHardwareAccelerated ? c / 8 * 8 : 0;
        var (kh, kw, sh, sw) = (pool.Window.KernelHeight, pool.Window.KernelWidth, pool.Window.StrideHeight, pool.Window.StrideWidth);
        for (int oy = 0; oy < pool.OutHeight; oy++)
            for (int ox = 0; ox < pool.OutWidth; ox++)
            {
                var into = output.Slice((oy * pool.OutWidth + ox) * c, c);
                var corner = input.Slice(((oy * sh) * pool.Width + ox * sw) * c);
                int k = 0;
                for (; k < vectors; k += 8)
                {
                    var max = Vector256.Create(corner.Slice(k, 8));
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++)
                            max = Vector256.Max(max, Vector256.Create(corner.Slice((ky * pool.Width + kx) * c + k, 8)));
                    if (pool.Rectified) max = Vector256.Max(max, Vector256<float>.Zero);
                    max.CopyTo(into.Slice(k));
                }
                for (; k < c; k++)
                {
                    float max = corner[k];
                    for (int ky = 0; ky < kh; ky++)
                        for (int kx = 0; kx < kw; kx++) max = Math.Max(max, corner[(ky * pool.Width + kx) * c + k]);
                    into[k] = pool.Rectified && !(max > 0) ? 0 : max;
                }
            }
    }
}
