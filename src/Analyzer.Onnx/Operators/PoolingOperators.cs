using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Pools: channel-preserving and positively homogeneous, so units pass through unchanged and BatchNorm scales fold
/// across them (docs/method.md §2). Gradients: MaxPool through its indices (or by equality after a ReLU),
/// AveragePool as a transposed convolution of ones divided by each window's count, global pools by broadcasting.
/// </summary>
internal static class PoolingOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("MaxPool", ChannelFlow.Transparent, Pool, MaxPoolGradient,
            traits: new() { DifferentiableOutputs = 1, GradientUsesIndices = true, MaxWindow = PlainMaxWindow });
        yield return Op("AveragePool", ChannelFlow.Transparent, Pool, AveragePoolGradient);
        yield return Op("LpPool", ChannelFlow.Transparent, Pool, null, "LpPool has no vector-Jacobian product here yet");
        yield return Op("GlobalAveragePool", ChannelFlow.Transparent, Global, c =>
        {
            long area = c.ShapeOf(c.X).Skip(2).Aggregate(1L, (a, d) => a * d);
            return [(c.X, c.W.Binary("Mul", c.W.Binary("Expand", c.G(), c.W.Add("Shape", [c.X])), c.W.Scalar(1.0 / area)))];
        });
        yield return Op("GlobalMaxPool", ChannelFlow.Transparent, Global, c =>
        {
            // To the first maximum of each map (PyTorch's choice on ties): ArgMax over the flattened map, then scatter.
            var w = c.W;
            string flat = w.Add("Reshape", [c.X, w.Int64s(0, 0, -1)]);
            string first = w.Add("ArgMax", [flat], null, GraphBuilder.Int("axis", 2), GraphBuilder.Int("keepdims", 1));
            string updates = w.Add("Reshape", [c.G(), w.Int64s(0, 0, 1)]);
            string scattered = w.Add(w.Opset >= 11 ? "ScatterElements" : "Scatter", [w.ZerosLike(flat), first, updates], null, GraphBuilder.Int("axis", 2));
            return [(c.X, w.ReshapeLike(scattered, c.X))];
        });
        yield return Op("GlobalLpPool", ChannelFlow.Transparent, Global, null, "GlobalLpPool has no vector-Jacobian product here yet");
    }

    /// <summary>The window of a 2-D max-pool without padding, dilation, ceiling rounding or indices; null for any other.</summary>
    private static PoolWindow? PlainMaxWindow(OnnxNode node)
    {
        if (node.GetInts("kernel_shape") is not [var kh, var kw] || node.Outputs.Count(o => o.Length > 0) != 1) return null;
        long[] strides = node.GetInts("strides") ?? [1, 1];
        bool plain = (node.GetInts("pads") ?? []).All(p => p == 0) && (node.GetInts("dilations") ?? []).All(d => d == 1)
            && node.GetInt("ceil_mode", 0) == 0 && node.GetString("auto_pad", "NOTSET") is "NOTSET" or "VALID" && strides.Length == 2;
        return plain && kh > 0 && kw > 0 && strides.All(s => s > 0) ? new PoolWindow((int)kh, (int)kw, (int)strides[0], (int)strides[1]) : null;
    }

    private static void Pool(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] kernel = c.Node.GetInts("kernel_shape") ?? throw c.Fail("kernel_shape is missing");
        long[] shape = [x[0], x[1], .. CommonShapes.SpatialOutput(c, x[2..], kernel)];
        c.Set(0, shape);
        c.Set(1, shape);
    }

    private static void Global(ShapeContext c) => c.Set(0, c.Shape(0).Select((d, i) => i < 2 ? d : 1).ToArray());

    private static IEnumerable<(string, string)> MaxPoolGradient(GradientContext c) =>
        [c.Indices is null ? MaxPoolByEquality(c) : (c.X, MaxPoolByIndices(c, c.Indices))];

    private static string MaxPoolByIndices(GradientContext c, string indices)
    {
        var node = c.Node;
        var w = c.W;
        if (node.GetInt("storage_order", 0) != 0) throw c.Fail("column-major indices (storage_order = 1)");
        // The indices address the flattened input; scatter the gradient there, adding where windows overlap.
        string zeros = w.Flatten1D(w.ZerosLike(c.X));
        string Scatter(string idx, string updates) => w.Opset >= 16
            ? w.Add("ScatterElements", [zeros, w.Flatten1D(idx), w.Flatten1D(updates)], null, GraphBuilder.Int("axis", 0), GraphBuilder.String("reduction", "add"))
            : w.Add(w.Opset >= 11 ? "ScatterElements" : "Scatter", [zeros, w.Flatten1D(idx), w.Flatten1D(updates)], null, GraphBuilder.Int("axis", 0));
        var phases = Phases(c);
        if (w.Opset >= 16 || phases.Count == 1) return w.ReshapeLike(Scatter(indices, c.G()), c.X);
        // Before opset 16 there is no scatter-add: windows whose starts differ by a multiple of m = ceil(window / stride)
        // per axis never overlap, so each such phase of the output scatters on its own and the phases are summed.
        long[] output = c.ShapeOf(c.Y);
        string Phase(string t, (long[] Start, long[] Step) phase)
        {
            long[] axes = Enumerable.Range(2, phase.Start.Length).Select(a => (long)a).ToArray();
            if (w.Opset >= 10)
                return w.Slice(t, phase.Start, phase.Start.Select(_ => long.MaxValue).ToArray(), axes, phase.Step);
            // Opset 9's Slice has no steps: pick the phase's positions with a Gather per axis instead.
            for (int a = 0; a < axes.Length; a++)
            {
                long[] picked = Enumerable.Range(0, (int)output[axes[a]]).Select(i => (long)i)
                    .Where(i => i >= phase.Start[a] && (i - phase.Start[a]) % phase.Step[a] == 0).ToArray();
                t = w.Add("Gather", [t, w.Int64s(picked)], null, GraphBuilder.Int("axis", axes[a]));
            }
            return t;
        }
        var parts = phases.Select(phase => Scatter(Phase(indices, phase), Phase(c.G(), phase))).ToList();
        return w.ReshapeLike(w.Add("Sum", parts), c.X);
    }

    /// <summary>
    /// The output positions of a pooling node grouped so that no two windows of a group overlap: per spatial axis, the
    /// positions ≡ a (mod m) with m = ceil(effective window / stride). One group when windows never overlap.
    /// </summary>
    private static List<(long[] Start, long[] Step)> Phases(GradientContext c)
    {
        var node = c.Node;
        long[] kernel = node.GetInts("kernel_shape")!;
        long[] strides = ConvGeometry.Strides(node, kernel.Length), dilations = ConvGeometry.Dilations(node, kernel.Length);
        long[] output = c.ShapeOf(node.Outputs[0])[2..];
        long[] m = kernel.Select((k, i) => Math.Min(output[i], ((k - 1) * dilations[i] + 1 + strides[i] - 1) / strides[i])).ToArray();
        var phases = new List<(long[], long[])> { ([], []) };
        for (int axis = 0; axis < kernel.Length; axis++)
            phases = phases.SelectMany(p => Enumerable.Range(0, (int)m[axis]).Select(a => (p.Item1.Append(a).ToArray(), p.Item2.Append(m[axis]).ToArray()))).ToList();
        return phases;
    }

    /// <summary>
    /// Whether a MaxPool's gradient can be routed without its indices: 2-D windows that tile the input exactly
    /// (kernel = stride, no pads, no dilation) over a ReLU's output. Each input is then in exactly one window, and the
    /// gradient goes where the input equals its window's maximum. Ties happen where ReLU output 0s share a window —
    /// the ReLU's own gradient is 0 there, so routing to all of them changes nothing; ties between equal positive
    /// values, which PyTorch routes to the first, are left to chance (measure zero for real-valued inputs). ONNX
    /// Runtime's MaxPool without indices runs in its fast blocked layout; the indices variant and the scatter cost
    /// several times more. Needs opset 11 (Equal on floats, Resize with its roi input).
    /// </summary>
    public static bool RoutesByEquality(OnnxNode node, string? producerOp, InferredShapes shapes, long opset)
    {
        if (producerOp != "Relu" || opset < 11 || node.Outputs.Count > 1 && node.Outputs[1].Length > 0) return false;
        long[] kernel = node.GetInts("kernel_shape") ?? [];
        long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        long[] input = shapes.ShapeOf(node.Inputs[0]);
        return kernel.Length == 2 && strides.SequenceEqual(kernel)
            && (node.GetInts("pads")?.All(p => p == 0) ?? true)
            && (node.GetInts("dilations")?.All(d => d == 1) ?? true)
            && node.GetString("auto_pad", "NOTSET") is "NOTSET" or "VALID"
            && node.GetInt("ceil_mode", 0) == 0
            && input[2] % kernel[0] == 0 && input[3] % kernel[1] == 0;
    }

    private static (string, string) MaxPoolByEquality(GradientContext c)
    {
        var w = c.W;
        // With the ReLU fused: windows whose maximum is 0 (all inputs ≤ 0) must pass nothing, so their maximum is
        // replaced by -1, which no ReLU output equals; elsewhere the maximum is positive and its ReLU slope 1.
        string reference = c.ReluInput is null ? c.Y : w.Add("Where", [w.Binary("Greater", c.Y, w.Scalar(0)), c.Y, w.Scalar(-1)]);
        long[] kernel = c.Node.GetInts("kernel_shape")!;
        // Nearest-neighbour upsampling by the kernel fills every window with its value.
        string scales = w.Constant([4], [1, 1, kernel[0], kernel[1]], "pool_scales");
        string roi = w.Constant([0], [], "pool_roi"); // required (if unused) before opset 13
        string Spread(string t) => w.Add("Resize", [t, roi, scales], null, GraphBuilder.String("mode", "nearest"),
            GraphBuilder.String("coordinate_transformation_mode", "asymmetric"), GraphBuilder.String("nearest_mode", "floor"));
        return (c.ReluInput ?? c.X, w.Binary("Mul", Spread(c.G()), w.CastToFloat(w.Binary("Equal", c.X, Spread(reference)))));
    }

    private static IEnumerable<(string, string)> AveragePoolGradient(GradientContext c)
    {
        var node = c.Node;
        long[] inputShape = c.ShapeOf(c.X);
        long[] kernel = node.GetInts("kernel_shape") ?? throw c.Fail("kernel_shape is missing");
        if (node.GetInts("dilations") is { } d && d.Any(v => v != 1)) throw c.Fail("dilations");
        int dims = kernel.Length;
        long channels = inputShape[1];
        long[] input = inputShape[2..], output = c.ShapeOf(c.Y)[2..];
        long[] strides = ConvGeometry.Strides(node, dims);
        var (begin, end) = ConvGeometry.Pads(node, input, output, kernel, strides, Enumerable.Repeat(1L, dims).ToArray());
        bool includePad = node.GetInt("count_include_pad", 0) != 0;
        // Each output divides by the number of window positions it averaged over; spread dY / count over the window.
        var counts = new double[TensorLayout.Count(output)];
        var index = new long[dims];
        for (long flat = 0; flat < counts.Length; flat++)
        {
            long rest = flat;
            for (int i = dims - 1; i >= 0; i--) { index[i] = rest % output[i]; rest /= output[i]; }
            double count = 1;
            for (int i = 0; i < dims; i++)
            {
                long start = index[i] * strides[i] - begin[i], stop = start + kernel[i];
                long lo = includePad ? -begin[i] : 0, hi = includePad ? input[i] + end[i] : input[i];
                count *= Math.Max(0, Math.Min(stop, hi) - Math.Max(start, lo));
            }
            counts[flat] = 1.0 / count;
        }
        string scaled = c.W.Binary("Mul", c.G(), c.W.Constant([1, 1, .. output], counts, "avgpool_inverse_counts"));
        long kernelSize = TensorLayout.Count(kernel);
        string ones = c.W.Constant([channels, 1, .. kernel], Enumerable.Repeat(1.0, (int)(channels * kernelSize)).ToArray(), "avgpool_ones");
        return [(c.X, ConvGeometry.TransposedConv(c, scaled, ones, kernel, channels))];
    }
}
