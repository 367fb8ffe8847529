using Analyzer.Onnx.Model;
using Analyzer.Onnx.Protos;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Gradients;

/// <summary>
/// The vector-Jacobian product of each supported operator, written as ONNX nodes: given the gradient of a node's
/// outputs, the gradient of its inputs that vary with the model's input. Weights are constants (never differentiated).
/// </summary>
internal sealed class OperatorGradients(GraphWriter w, InferredShapes shapes, string modelPath)
{
    public static readonly IReadOnlyList<string> Supported =
    [
        "Add", "AveragePool", "BatchNormalization", "Cast", "Clip", "Concat", "Conv", "Div", "Dropout", "Elu", "Exp",
        "Flatten", "Gemm", "GlobalAveragePool", "GlobalMaxPool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Log", "MatMul",
        "MaxPool", "Mul", "Neg", "Pad", "Relu", "Reshape", "Selu", "Sigmoid", "Softplus", "Softsign", "Split", "Sqrt",
        "Squeeze", "Sub", "Sum", "Tanh", "Transpose", "Unsqueeze",
    ];

    /// <param name="outputGradients">Per output, its gradient or null when none reaches it.</param>
    /// <param name="indices">For MaxPool, the name of its indices output (null: routed by equality).</param>
    /// <param name="reluInput">For a MaxPool routed by equality over a ReLU that only it reads: the ReLU's input, which
    /// then receives the gradient directly (the ReLU itself gets none).</param>
    public IEnumerable<(string Tensor, string Gradient)> Backward(OnnxNode node, string?[] outputGradients,
        HashSet<string> dependent, string? indices, string? reluInput = null)
    {
        string Needs(int output) => outputGradients[output] ?? throw Fail(node, "internal: missing output gradient");
        string x = node.Inputs[0];
        switch (node.OpType)
        {
            case "Identity" or "Dropout" or "Cast":
                if (node.OpType == "Cast" && node.GetInt("to", 1) != w.ElementType) throw Fail(node, "casts to another type");
                return [(x, Needs(0))];
            case "Relu":
                // y > 0 exactly where x > 0; reading y rather than x lets ONNX Runtime fuse the forward Relu into its
                // conv (and Greater + Cast + Mul runs faster there than Where or Sign).
                return [(x, w.Binary("Mul", Needs(0), w.CastToFloat(w.Binary("Greater", node.Outputs[0], w.Scalar(0)))))];
            case "LeakyRelu":
            {
                double alpha = node.GetFloat("alpha", 0.01);
                return [(x, w.Binary("Mul", Needs(0), w.Add("Where", [w.Binary("Greater", x, w.Scalar(0)), w.Scalar(1), w.Scalar(alpha)])))];
            }
            case "Sigmoid":
            {
                string y = node.Outputs[0];
                return [(x, w.Binary("Mul", Needs(0), w.Binary("Mul", y, w.Binary("Sub", w.Scalar(1), y))))];
            }
            case "Tanh":
            {
                string y = node.Outputs[0];
                return [(x, w.Binary("Mul", Needs(0), w.Binary("Sub", w.Scalar(1), w.Binary("Mul", y, y))))];
            }
            case "Clip":
                return [(x, w.Binary("Mul", Needs(0), ClipMask(node)))];
            case "Softplus":
                return [(x, w.Binary("Mul", Needs(0), w.Unary("Sigmoid", x)))];
            case "Softsign":
            {
                string denominator = w.Binary("Add", w.Scalar(1), w.Unary("Abs", x));
                return [(x, w.Binary("Div", Needs(0), w.Binary("Mul", denominator, denominator)))];
            }
            case "Exp":
                return [(x, w.Binary("Mul", Needs(0), node.Outputs[0]))];
            case "Log":
                return [(x, w.Binary("Div", Needs(0), x))];
            case "Sqrt":
                return [(x, w.Binary("Div", w.Binary("Mul", Needs(0), w.Scalar(0.5)), node.Outputs[0]))];
            case "Elu" or "Selu":
            {
                // x > 0: slope (1, or gamma); else y + alpha·slope (the derivative of slope·alpha·(eˣ - 1)).
                double alpha = node.GetFloat("alpha", node.OpType == "Elu" ? 1.0 : 1.67326319217681884765625);
                double gamma = node.OpType == "Elu" ? 1.0 : node.GetFloat("gamma", 1.05070102214813232421875);
                string slope = w.Add("Where", [w.Binary("Greater", x, w.Scalar(0)), w.Scalar(gamma), w.Binary("Add", node.Outputs[0], w.Scalar(alpha * gamma))]);
                return [(x, w.Binary("Mul", Needs(0), slope))];
            }
            case "HardSigmoid":
            {
                // PyTorch: alpha where 0 < alpha·x + beta < 1 (strictly), else 0.
                double alpha = node.GetFloat("alpha", 0.2), beta = node.GetFloat("beta", 0.5);
                string v = w.Binary("Add", w.Binary("Mul", x, w.Scalar(alpha)), w.Scalar(beta));
                string inside = w.Binary("And", w.Binary("Greater", v, w.Scalar(0)), w.Binary("Less", v, w.Scalar(1)));
                return [(x, w.Binary("Mul", Needs(0), w.Binary("Mul", w.CastToFloat(inside), w.Scalar(alpha))))];
            }
            case "HardSwish":
            {
                // PyTorch: 0 below -3, x/3 + 1/2 up to 3, 1 above.
                string middle = w.Binary("Add", w.Binary("Mul", x, w.Scalar(1.0 / 3)), w.Scalar(0.5));
                string slope = w.Add("Where", [w.Binary("Less", x, w.Scalar(-3)), w.Scalar(0),
                    w.Add("Where", [w.Binary("Greater", x, w.Scalar(3)), w.Scalar(1), middle])]);
                return [(x, w.Binary("Mul", Needs(0), slope))];
            }
            case "Neg":
                return [(x, w.Unary("Neg", Needs(0)))];
            case "Flatten" or "Reshape" or "Squeeze" or "Unsqueeze":
                return [(x, w.ReshapeLike(Needs(0), x))];
            case "Transpose":
            {
                int rank = shapes.ShapeOf(x).Length;
                long[] perm = node.GetInts("perm") ?? Enumerable.Range(0, rank).Reverse().Select(a => (long)a).ToArray();
                var inverse = new long[rank];
                for (int i = 0; i < rank; i++) inverse[perm[i]] = i;
                return [(x, w.Add("Transpose", [Needs(0)], null, GraphWriter.Ints("perm", inverse)))];
            }
            case "BatchNormalization":
                return [(x, BatchNorm(node, Needs(0)))];
            case "Gemm":
                RequireConstant(node, dependent, 1, 2);
                return [(x, Gemm(node, Needs(0)))];
            case "MatMul":
                return [MatMul(node, Needs(0), dependent)];
            case "Conv":
                RequireConstant(node, dependent, 1, 2);
                return [(x, Conv(node, Needs(0)))];
            case "MaxPool":
                return [indices is null ? MaxPoolByEquality(node, Needs(0), reluInput) : (x, MaxPool(node, Needs(0), indices))];
            case "AveragePool":
                return [(x, AveragePool(node, Needs(0)))];
            case "GlobalAveragePool":
            {
                long[] shape = shapes.ShapeOf(x);
                long area = shape.Skip(2).Aggregate(1L, (a, d) => a * d);
                return [(x, w.Binary("Mul", w.Binary("Expand", Needs(0), w.Add("Shape", [x])), w.Scalar(1.0 / area)))];
            }
            case "GlobalMaxPool":
            {
                // To the first maximum of each map (PyTorch's choice on ties): ArgMax over the flattened map, then scatter.
                string flat = w.Add("Reshape", [x, w.Int64s(0, 0, -1)]);
                string first = w.Add("ArgMax", [flat], null, GraphWriter.Int("axis", 2), GraphWriter.Int("keepdims", 1));
                string updates = w.Add("Reshape", [Needs(0), w.Int64s(0, 0, 1)]);
                string scattered = w.Add(w.Opset >= 11 ? "ScatterElements" : "Scatter", [w.ZerosLike(flat), first, updates], null, GraphWriter.Int("axis", 2));
                return [(x, w.ReshapeLike(scattered, x))];
            }
            case "Add" or "Sub" or "Mul" or "Div" or "Sum":
                return Elementwise(node, Needs(0), dependent);
            case "Concat":
                return Concat(node, Needs(0), dependent);
            case "Split":
                return [(x, Split(node, outputGradients))];
            case "Pad":
                return [(x, Pad(node, Needs(0)))];
            default:
                throw new ModelFormatException(
                    $"{modelPath}: node '{node.DisplayName}': feature visualisation cannot differentiate operator '{node.OpType}' " +
                    $"(supported: {string.Join(", ", Supported)})");
        }
    }

    private ModelFormatException Fail(OnnxNode node, string problem) =>
        new($"{modelPath}: node '{node.DisplayName}' ({node.OpType}): cannot build its gradient: {problem}");

    private void RequireConstant(OnnxNode node, HashSet<string> dependent, params int[] inputs)
    {
        foreach (int i in inputs)
            if (node.Input(i) is { } name && dependent.Contains(name))
                throw Fail(node, $"input {i} ('{name}') varies with the model's input; only data inputs are differentiated");
    }

    private double[] Constant(OnnxNode node, int input) =>
        shapes.ConstantOf(node.Input(input))?.AsDoubles() ?? throw Fail(node, $"input {input} is not a constant");

    private string ClipMask(OnnxNode node)
    {
        string x = node.Inputs[0];
        double? min = null, max = null;
        if (w.Opset < 11)
        {
            min = node.HasAttribute("min") ? node.GetFloat("min", 0) : null;
            max = node.HasAttribute("max") ? node.GetFloat("max", 0) : null;
        }
        else
        {
            if (node.Input(1) is not null) min = Constant(node, 1)[0];
            if (node.Input(2) is not null) max = Constant(node, 2)[0];
        }
        // PyTorch's clamp: the gradient passes where min <= x <= max.
        string? mask = null;
        if (min is { } lo) mask = w.Unary("Not", w.Binary("Less", x, w.Scalar(lo)));
        if (max is { } hi)
        {
            string upper = w.Unary("Not", w.Binary("Greater", x, w.Scalar(hi)));
            mask = mask is null ? upper : w.Binary("And", mask, upper);
        }
        return mask is null ? w.Scalar(1) : w.CastToFloat(mask);
    }

    private string BatchNorm(OnnxNode node, string gy)
    {
        if (node.GetInt("training_mode", 0) != 0) throw Fail(node, "training mode");
        double[] scale = Constant(node, 1), variance = Constant(node, 4);
        double epsilon = node.GetFloat("epsilon", 1e-5);
        int rank = shapes.ShapeOf(node.Inputs[0]).Length;
        var factor = scale.Select((s, c) => s / Math.Sqrt(variance[c] + epsilon)).ToArray();
        long[] shape = [factor.Length, .. Enumerable.Repeat(1L, Math.Max(0, rank - 2))];
        return w.Binary("Mul", gy, w.Constant(shape, factor, "bn_factor"));
    }

    private string Gemm(OnnxNode node, string gy)
    {
        // Y = alpha·op(A)·op(B) + beta·C  =>  d op(A) = alpha·dY·op(B)ᵀ, and dA is its transpose when transA.
        double alpha = node.GetFloat("alpha", 1);
        bool transA = node.GetInt("transA", 0) != 0, transB = node.GetInt("transB", 0) != 0;
        string b = node.Inputs[1];
        string product = w.Opset >= 11
            ? w.Add("Gemm", [gy, b], null, GraphWriter.Int("transB", transB ? 0 : 1), GraphWriter.Float("alpha", alpha))
            : Scale(w.Binary("MatMul", gy, transB ? b : w.Add("Transpose", [b], null, GraphWriter.Ints("perm", [1, 0]))), alpha);
        return transA ? w.Add("Transpose", [product], null, GraphWriter.Ints("perm", [1, 0])) : product;
    }

    private string Scale(string x, double factor) => factor == 1 ? x : w.Binary("Mul", x, w.Scalar(factor));

    private (string, string) MatMul(OnnxNode node, string gy, HashSet<string> dependent)
    {
        string a = node.Inputs[0], b = node.Inputs[1];
        if (dependent.Contains(b) || shapes.ShapeOf(b).Length != 2)
            throw Fail(node, "only a data input times a constant matrix is supported");
        return (a, w.Binary("MatMul", gy, w.Add("Transpose", [b], null, GraphWriter.Ints("perm", [1, 0]))));
    }

    /// <summary>Explicit begin and end pads of a conv or pool node (resolving auto_pad from the shapes).</summary>
    private (long[] Begin, long[] End) Pads(OnnxNode node, long[] input, long[] output, long[] kernel, long[] strides, long[] dilations)
    {
        int dims = kernel.Length;
        string autoPad = node.GetString("auto_pad", "NOTSET");
        var begin = new long[dims];
        var end = new long[dims];
        long[] pads = node.GetInts("pads") ?? new long[2 * dims];
        for (int i = 0; i < dims; i++)
        {
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                long total = Math.Max(0, (output[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input[i]);
                begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                end[i] = total - begin[i];
            }
            else if (autoPad != "VALID")
            {
                begin[i] = pads[i];
                end[i] = pads[i + dims];
            }
        }
        return (begin, end);
    }

    /// <summary>
    /// The transposed convolution that maps a gradient at the output of a conv-like node back to its input:
    /// the same kernel, strides, pads and dilations, with output padding restoring the exact input size.
    /// </summary>
    private string TransposedConv(OnnxNode node, string gy, string weight, long[] kernel, long group)
    {
        long[] input = shapes.ShapeOf(node.Inputs[0])[2..], output = shapes.ShapeOf(node.Outputs[0])[2..];
        int dims = kernel.Length;
        long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, dims).ToArray();
        long[] dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, dims).ToArray();
        var (begin, end) = Pads(node, input, output, kernel, strides, dilations);
        var outputPadding = new long[dims];
        for (int i = 0; i < dims; i++)
        {
            long produced = (output[i] - 1) * strides[i] - begin[i] - end[i] + (kernel[i] - 1) * dilations[i] + 1;
            outputPadding[i] = input[i] - produced;
            if (outputPadding[i] < 0) throw Fail(node, "the output is larger than its input allows");
        }
        return w.Add("ConvTranspose", [gy, weight], null,
            GraphWriter.Ints("strides", strides), GraphWriter.Ints("dilations", dilations),
            GraphWriter.Ints("pads", begin.Concat(end)), GraphWriter.Ints("output_padding", outputPadding),
            GraphWriter.Ints("kernel_shape", kernel), GraphWriter.Int("group", group));
    }

    private string Conv(OnnxNode node, string gy)
    {
        long[] weight = shapes.ShapeOf(node.Inputs[1]);
        long group = node.GetInt("group", 1);
        // A gradient with very few channels (an image's) runs better as a transposed convolution.
        bool fewChannels = weight[1] * group < 4;
        return (fewChannels ? null : FlippedConv(node, gy, group)) ?? TransposedConv(node, gy, node.Inputs[1], weight[2..], group);
    }

    /// <summary>
    /// For a stride-1 conv, the input gradient is itself a convolution: dY convolved with the kernel flipped in space
    /// and with input and output channels swapped (per group), padded by dilation·(k - 1) - pad on each side. ONNX
    /// Runtime's forward Conv is much faster than its ConvTranspose, so this form is preferred where it applies;
    /// null where it does not (strides, or pads beyond the kernel's reach).
    /// </summary>
    private string? FlippedConv(OnnxNode node, string gy, long group)
    {
        if (shapes.ConstantOf(node.Inputs[1]) is not { } weight || weight.Shape.Length != 4) return null;
        long[] input = shapes.ShapeOf(node.Inputs[0])[2..], output = shapes.ShapeOf(node.Outputs[0])[2..];
        long[] kernel = weight.Shape[2..];
        long[] strides = node.GetInts("strides") ?? [1, 1];
        long[] dilations = node.GetInts("dilations") ?? [1, 1];
        if (strides.Any(v => v != 1)) return null;
        var (begin, end) = Pads(node, input, output, kernel, strides, dilations);
        var pads = new long[4];
        for (int i = 0; i < 2; i++)
        {
            pads[i] = dilations[i] * (kernel[i] - 1) - begin[i];
            pads[i + 2] = dilations[i] * (kernel[i] - 1) - end[i];
            if (pads[i] < 0 || pads[i + 2] < 0) return null;
        }
        long outChannels = weight.Shape[0], inPerGroup = weight.Shape[1], outPerGroup = outChannels / group;
        long kh = kernel[0], kw = kernel[1];
        var source = weight.AsDoubles();
        var flipped = new double[source.Length];
        // W'[g·inPerGroup + ci, co, a, b] = W[g·outPerGroup + co, ci, kh-1-a, kw-1-b]
        for (long g = 0; g < group; g++)
            for (long co = 0; co < outPerGroup; co++)
                for (long ci = 0; ci < inPerGroup; ci++)
                    for (long a = 0; a < kh; a++)
                        for (long b = 0; b < kw; b++)
                            flipped[(((g * inPerGroup + ci) * outPerGroup + co) * kh + a) * kw + b] =
                                source[(((g * outPerGroup + co) * inPerGroup + ci) * kh + (kh - 1 - a)) * kw + (kw - 1 - b)];
        string flippedWeight = w.Constant([group * inPerGroup, outPerGroup, kh, kw], flipped, "conv_flipped_weight");
        return w.Add("Conv", [gy, flippedWeight], null, GraphWriter.Ints("dilations", dilations), GraphWriter.Ints("pads", pads),
            GraphWriter.Ints("kernel_shape", kernel), GraphWriter.Int("group", group));
    }

    private string MaxPool(OnnxNode node, string gy, string indices)
    {
        if (node.GetInt("storage_order", 0) != 0) throw Fail(node, "column-major indices (storage_order = 1)");
        string x = node.Inputs[0];
        // The indices address the flattened input; scatter the gradient there, adding where windows overlap.
        string zeros = w.Flatten1D(w.ZerosLike(x));
        string Scatter(string idx, string updates) => w.Opset >= 16
            ? w.Add("ScatterElements", [zeros, w.Flatten1D(idx), w.Flatten1D(updates)], null, GraphWriter.Int("axis", 0), GraphWriter.String("reduction", "add"))
            : w.Add(w.Opset >= 11 ? "ScatterElements" : "Scatter", [zeros, w.Flatten1D(idx), w.Flatten1D(updates)], null, GraphWriter.Int("axis", 0));
        var phases = Phases(node);
        if (w.Opset >= 16 || phases.Count == 1) return w.ReshapeLike(Scatter(indices, gy), x);
        // Before opset 16 there is no scatter-add: windows whose starts differ by a multiple of m = ceil(window / stride)
        // per axis never overlap, so each such phase of the output scatters on its own and the phases are summed.
        if (w.Opset < 10) throw Fail(node, $"overlapping windows need opset 10 or later for their gradient; the model has opset {w.Opset}");
        var parts = phases.Select(phase =>
        {
            long[] axes = Enumerable.Range(2, phase.Start.Length).Select(a => (long)a).ToArray();
            long[] ends = phase.Start.Select(_ => long.MaxValue).ToArray();
            return Scatter(w.Slice(indices, phase.Start, ends, axes, phase.Step), w.Slice(gy, phase.Start, ends, axes, phase.Step));
        }).ToList();
        return w.ReshapeLike(w.Add("Sum", parts), x);
    }

    /// <summary>
    /// The output positions of a pooling node grouped so that no two windows of a group overlap: per spatial axis, the
    /// positions ≡ a (mod m) with m = ceil(effective window / stride). One group when windows never overlap.
    /// </summary>
    private List<(long[] Start, long[] Step)> Phases(OnnxNode node)
    {
        long[] kernel = node.GetInts("kernel_shape")!;
        long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        long[] dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, kernel.Length).ToArray();
        long[] output = shapes.ShapeOf(node.Outputs[0])[2..];
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
            && input[2] % kernel[0] == 0 && input[3] % kernel[1] == 0;
    }

    private (string, string) MaxPoolByEquality(OnnxNode node, string gy, string? reluInput)
    {
        string x = node.Inputs[0], y = node.Outputs[0];
        // With the ReLU fused: windows whose maximum is 0 (all inputs ≤ 0) must pass nothing, so their maximum is
        // replaced by -1, which no ReLU output equals; elsewhere the maximum is positive and its ReLU slope 1.
        string reference = reluInput is null ? y : w.Add("Where", [w.Binary("Greater", y, w.Scalar(0)), y, w.Scalar(-1)]);
        long[] kernel = node.GetInts("kernel_shape")!;
        // Nearest-neighbour upsampling by the kernel fills every window with its value.
        string scales = w.Constant([4], [1, 1, kernel[0], kernel[1]], "pool_scales");
        string roi = w.Constant([0], [], "pool_roi"); // required (if unused) before opset 13
        string Spread(string t) => w.Add("Resize", [t, roi, scales], null, GraphWriter.String("mode", "nearest"),
            GraphWriter.String("coordinate_transformation_mode", "asymmetric"), GraphWriter.String("nearest_mode", "floor"));
        return (reluInput ?? x, w.Binary("Mul", Spread(gy), w.CastToFloat(w.Binary("Equal", x, Spread(reference)))));
    }

    private string AveragePool(OnnxNode node, string gy)
    {
        long[] inputShape = shapes.ShapeOf(node.Inputs[0]);
        long[] kernel = node.GetInts("kernel_shape") ?? throw Fail(node, "kernel_shape is missing");
        if (node.GetInts("dilations") is { } d && d.Any(v => v != 1)) throw Fail(node, "dilations");
        int dims = kernel.Length;
        long channels = inputShape[1];
        long[] input = inputShape[2..], output = shapes.ShapeOf(node.Outputs[0])[2..];
        long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, dims).ToArray();
        var (begin, end) = Pads(node, input, output, kernel, strides, Enumerable.Repeat(1L, dims).ToArray());
        bool includePad = node.GetInt("count_include_pad", 0) != 0;
        // Each output divides by the number of window positions it averaged over; spread dY / count over the window.
        var counts = new double[output.Aggregate(1L, (a, v) => a * v)];
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
        string scaled = w.Binary("Mul", gy, w.Constant([1, 1, .. output], counts, "avgpool_inverse_counts"));
        long kernelSize = kernel.Aggregate(1L, (a, v) => a * v);
        string ones = w.Constant([channels, 1, .. kernel], Enumerable.Repeat(1.0, (int)(channels * kernelSize)).ToArray(), "avgpool_ones");
        return TransposedConv(node, scaled, ones, kernel, channels);
    }

    private IEnumerable<(string, string)> Elementwise(OnnxNode node, string gy, HashSet<string> dependent)
    {
        long[] outputShape = shapes.ShapeOf(node.Outputs[0]);
        var result = new List<(string, string)>();
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            string input = node.Inputs[i];
            if (!dependent.Contains(input)) continue;
            string other = node.Inputs[1 - Math.Min(i, 1)];
            string contribution = node.OpType switch
            {
                "Add" or "Sum" => gy,
                "Sub" => i == 0 ? gy : w.Unary("Neg", gy),
                "Mul" => w.Binary("Mul", gy, other),
                "Div" when i == 0 => w.Binary("Div", gy, other),
                // d(a/b)/db = -a/b² = -(a/b)/b
                _ => w.Unary("Neg", w.Binary("Div", w.Binary("Mul", gy, node.Outputs[0]), node.Inputs[1])),
            };
            result.Add((input, ReduceTo(contribution, outputShape, input)));
        }
        return result;
    }

    /// <summary>Sums a gradient of the broadcast output shape back to <paramref name="input"/>'s shape.</summary>
    private string ReduceTo(string gradient, long[] outputShape, string input)
    {
        long[] inputShape = shapes.ShapeOf(input);
        int lead = outputShape.Length - inputShape.Length;
        var axes = new List<long>();
        for (int a = 0; a < outputShape.Length; a++)
        {
            long size = a < lead ? 1 : inputShape[a - lead];
            if (a < lead || (size == 1 && outputShape[a] != 1)) axes.Add(a);
        }
        if (axes.Count == 0) return gradient;
        return w.ReshapeLike(w.ReduceSum(gradient, axes.ToArray(), keepDims: true), input);
    }

    private IEnumerable<(string, string)> Concat(OnnxNode node, string gy, HashSet<string> dependent)
    {
        int rank = shapes.ShapeOf(node.Outputs[0]).Length;
        long axis = node.GetInt("axis", 0);
        if (axis < 0) axis += rank;
        if (axis == 0) throw Fail(node, "concatenation along the batch axis");
        long offset = 0;
        var result = new List<(string, string)>();
        foreach (var input in node.Inputs)
        {
            long size = shapes.ShapeOf(input)[axis];
            if (dependent.Contains(input)) result.Add((input, w.Slice(gy, [offset], [offset + size], [axis])));
            offset += size;
        }
        return result;
    }

    private string Split(OnnxNode node, string?[] outputGradients)
    {
        int rank = shapes.ShapeOf(node.Inputs[0]).Length;
        long axis = node.GetInt("axis", 0);
        if (axis < 0) axis += rank;
        var parts = node.Outputs.Select((o, i) => outputGradients[i] ?? w.ZerosLike(o)).ToList();
        return w.Add("Concat", parts, null, GraphWriter.Int("axis", axis));
    }

    private string Pad(OnnxNode node, string gy)
    {
        string mode = node.GetString("mode", "constant");
        if (mode != "constant") throw Fail(node, $"mode '{mode}' (only constant padding is supported)");
        if (node.Input(3) is not null) throw Fail(node, "the axes input");
        long[] pads = w.Opset >= 11
            ? shapes.ConstantOf(node.Input(1))?.AsInt64s() ?? throw Fail(node, "the pads are not constant")
            : node.GetInts("pads") ?? node.GetInts("paddings") ?? throw Fail(node, "pads are missing");
        int rank = pads.Length / 2;
        if (pads.Any(p => p < 0)) throw Fail(node, "negative pads (cropping)");
        long[] shape = shapes.ShapeOf(node.Outputs[0]);
        var axes = Enumerable.Range(0, rank).Where(a => pads[a] != 0 || pads[a + rank] != 0).Select(a => (long)a).ToArray();
        if (axes.Length == 0) return gy;
        if (axes.Contains(0)) throw Fail(node, "padding along the batch axis");
        return w.Slice(gy, axes.Select(a => pads[a]).ToArray(), axes.Select(a => shape[a] - pads[a + rank]).ToArray(), axes);
    }
}
