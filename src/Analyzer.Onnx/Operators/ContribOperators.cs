using Analyzer.Onnx.Building;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx.Operators;

/// <summary>What an expansion rule sees of one fused node: the node, the writer that adds its standard-ONNX equivalent,
/// and the graph's initializers.</summary>
internal sealed class ExpansionContext(NodeProto node, GraphBuilder writer, IReadOnlyDictionary<string, TensorProto> initializers,
    IReadOnlyDictionary<string, int> ranks)
{
    /// <summary>The rank of a tensor as the file declares it (value infos, inputs, initializers), or null.</summary>
    public int? Rank(string name) => initializers.TryGetValue(name, out var t) ? t.Dims.Count : ranks.TryGetValue(name, out int r) ? r : null;

    public NodeProto Node => node;
    public GraphBuilder W => writer;

    /// <summary>Input <paramref name="i"/>'s name, or null when absent.</summary>
    public string? Input(int i) => i < node.Input.Count && node.Input[i].Length > 0 ? node.Input[i] : null;

    /// <summary>Output <paramref name="i"/>'s name, or null when absent or unused.</summary>
    public string? Output(int i) => i < node.Output.Count && node.Output[i].Length > 0 ? node.Output[i] : null;

    public TensorProto? Initializer(string? name) => name is not null && initializers.TryGetValue(name, out var t) ? t : null;

    public long Int(string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
    public double Float(string name, double fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : fallback;
    public string Text(string name, string fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : fallback;
}

/// <summary>Writes a fused node's standard-ONNX equivalent; returns why it cannot, or null.</summary>
internal delegate string? ExpansionRule(ExpansionContext context);

/// <summary>
/// The fused operators ONNX Runtime's optimisers write in the com.microsoft domain (docs/method.md §10, fused
/// operators), each with its standard-ONNX equivalent, written when the model is loaded: the function is the same, and
/// everything after — tracing, node sets, lesions, gradients — reads standard operators. Adding one is one entry here.
/// </summary>
internal static class ContribOperators
{
    public const string Domain = "com.microsoft";

    /// <summary>Fused operators ONNX Runtime registers in the default domain (RMS normalisation, written by its
    /// transformer optimiser for LLaMA-style models), expanded like the com.microsoft ones.</summary>
    public static readonly IReadOnlySet<string> DefaultDomain = new HashSet<string>(StringComparer.Ordinal) { "SimplifiedLayerNormalization" };

    /// <summary>Whether <paramref name="node"/> is a fused operator that is expanded at load.</summary>
    public static bool IsFused(NodeProto node) =>
        node.Domain == Domain || (node.Domain is "" or "ai.onnx" && DefaultDomain.Contains(node.OpType));

    public static readonly IReadOnlyDictionary<string, ExpansionRule> Expansions = new Dictionary<string, ExpansionRule>(StringComparer.Ordinal)
    {
        ["FusedMatMul"] = FusedMatMul,
        ["FusedGemm"] = c => WithActivation(c, c.W.Add("Gemm", Present(c, 3), null, Copy(c, "alpha", "beta", "transA", "transB"))),
        ["FusedConv"] = FusedConv,
        ["Gelu"] = c => Done(c.W.Add("Identity", [Gelu(c.W, c.Input(0)!)], c.Output(0))),
        ["BiasGelu"] = c => Done(c.W.Add("Identity", [Gelu(c.W, c.W.Add("Add", [c.Input(0)!, c.Input(1)!]))], c.Output(0))),
        ["FastGelu"] = c => Done(c.W.Add("Identity", [TanhGelu(c.W, c.Input(1) is { } bias ? c.W.Add("Add", [c.Input(0)!, bias]) : c.Input(0)!)], c.Output(0))),
        ["QuickGelu"] = c =>
        {
            string x = c.Input(0)!;
            return Done(c.W.Add("Mul", [x, c.W.Add("Sigmoid", [c.W.Add("Mul", [x, c.W.Scalar(c.Float("alpha", 1.702))])])], c.Output(0)));
        },
        ["SimplifiedLayerNormalization"] = c => RmsNorm(c, c.Input(0)!, c.Input(1)!, c.Output(0)!),
        // Older converters wrote layer normalisation in this domain; ONNX Runtime now registers it in the default one.
        ["LayerNormalization"] = c => c.Output(1) is not null || c.Output(2) is not null
            ? "its mean and inverse deviation outputs are read" : LayerNorm(c, c.Input(0)!, c.Input(1)!, c.Input(2), c.Output(0)!),
        ["SkipLayerNormalization"] = c =>
        {
            // output = LN(input + skip + bias); output 3, when used, is the sum itself.
            string sum = c.W.Add("Add", [c.Input(0)!, c.Input(1)!], c.Input(4) is null ? c.Output(3) : null);
            if (c.Input(4) is { } bias) sum = c.W.Add("Add", [sum, bias], c.Output(3));
            return c.Output(1) is not null || c.Output(2) is not null ? "its mean and inverse deviation outputs are read" : LayerNorm(c, sum, c.Input(2)!, c.Input(3), c.Output(0)!);
        },
        ["Attention"] = Attention,
        ["EmbedLayerNormalization"] = EmbedLayerNormalization,
        ["SkipSimplifiedLayerNormalization"] = c =>
        {
            string sum = c.W.Add("Add", [c.Input(0)!, c.Input(1)!], c.Input(3) is null ? c.Output(3) : null);
            if (c.Input(3) is { } bias) sum = c.W.Add("Add", [sum, bias], c.Output(3));
            return RmsNorm(c, sum, c.Input(2)!, c.Output(0)!);
        },
    };

    private static string? Done(string _) => null;

    /// <summary>
    /// The rank of a node's output where it follows from its inputs' ranks without shapes (ONNX Runtime's optimised files
    /// declare no intermediate shapes, and the expansions of attention need a mask's rank): unit-keeping and elementwise
    /// operators, permutations, reshapes to a constant shape, (un)squeezes by constant axes, and the fused embedding's
    /// outputs. Null where it does not.
    /// </summary>
    public static int? OutputRank(NodeProto node, int output, Func<string, int?> rank, Func<string, TensorProto?> constant)
    {
        int? Input(int i) => i < node.Input.Count && node.Input[i].Length > 0 ? rank(node.Input[i]) : null;
        long[]? Axes() => node.Attribute.FirstOrDefault(a => a.Name == "axes")?.Ints.ToArray()
            ?? (node.Input.Count > 1 && constant(node.Input[1]) is { } t ? TensorDecoder.Decode("", t).AsInt64s() : null);
        if (node.Domain == Domain)
            return node.OpType == "EmbedLayerNormalization" ? (output == 1 ? 1 : Input(0) + 1) : null;
        var definition = OperatorRegistry.Find(node.OpType);
        if (definition is null) return null;
        if (definition.Flow is ChannelFlow.Activation or ChannelFlow.Transparent or ChannelFlow.Scale or ChannelFlow.Normalize
            || definition.Traits.Permutation is not null)
            return Input(0);
        if (definition.Flow == ChannelFlow.Elementwise)
            return node.Input.Select((_, i) => Input(i)).Max();
        if (definition.Traits.TargetShapeInput is var target and >= 0 && constant(node.Input[target]) is { } shape)
            return (int)shape.Dims.Aggregate(1L, (a, d) => a * d);
        if (definition.Traits.UnsqueezesBy is { } sign && Axes() is { } axes && Input(0) is { } r)
            return r + sign * axes.Length;
        return null;
    }

    private static string[] Present(ExpansionContext c, int count) => Enumerable.Range(0, count).Select(c.Input).Where(i => i is not null).ToArray()!;

    private static AttributeProto[] Copy(ExpansionContext c, params string[] names) =>
        c.Node.Attribute.Where(a => names.Contains(a.Name)).Select(a => a.Clone()).ToArray();

    /// <summary>MatMul of A and B with transposes and a scale. A constant B is transposed and scaled into a new
    /// initializer, so that the product is a plain MatMul by a constant: a dense layer.</summary>
    private static string? FusedMatMul(ExpansionContext c)
    {
        if (c.Int("transBatchA", 0) != 0 || c.Int("transBatchB", 0) != 0) return "transBatchA and transBatchB are not expanded";
        double alpha = c.Float("alpha", 1.0);
        string a = c.Input(0)!, b = c.Input(1)!;
        if (c.Int("transA", 0) != 0) a = SwapLastTwo(c, a);
        if (c.Initializer(b) is { Dims.Count: 2 } constant && constant.DataType == (int)TensorProto.Types.DataType.Float)
        {
            var values = TensorDecoder.Decode("", constant).AsDoubles();
            long rows = constant.Dims[0], cols = constant.Dims[1];
            bool transposed = c.Int("transB", 0) != 0;
            long outRows = transposed ? cols : rows, outCols = transposed ? rows : cols;
            var w = new float[values.Length];
            for (long r = 0; r < outRows; r++)
                for (long q = 0; q < outCols; q++)
                    w[r * outCols + q] = (float)(alpha * (transposed ? values[q * cols + r] : values[r * cols + q]));
            c.W.Add("MatMul", [a, c.W.Constant([outRows, outCols], () => w, "fused_matmul_weight")], c.Output(0));
            return null;
        }
        if (c.Int("transB", 0) != 0) b = SwapLastTwo(c, b);
        if (alpha == 1.0) c.W.Add("MatMul", [a, b], c.Output(0));
        else c.W.Add("Mul", [c.W.Add("MatMul", [a, b]), c.W.Scalar(alpha)], c.Output(0));
        return null;
    }

    /// <summary>Swaps the last two axes of <paramref name="x"/>: a Transpose where the file declares its rank, else an
    /// Einsum "...ij->...ji" (ORT's optimised files declare no intermediate shapes).</summary>
    private static string SwapLastTwo(ExpansionContext c, string x)
    {
        if (c.Rank(x) is not (>= 2 and var rank)) return c.W.Add("Einsum", [x], null, GraphBuilder.String("equation", "...ij->...ji"));
        var perm = Enumerable.Range(0, rank).Select(a => (long)a).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return c.W.Add("Transpose", [x], null, GraphBuilder.Ints("perm", perm));
    }

    private static string? FusedConv(ExpansionContext c)
    {
        string conv = c.W.Add("Conv", Present(c, 3), null, Copy(c, "auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"));
        if (c.Input(3) is { } z) conv = c.W.Add("Add", [conv, z]);
        return WithActivation(c, conv);
    }

    /// <summary>The fused activation (the "activation" attribute) applied to <paramref name="x"/>, into output 0.</summary>
    private static string? WithActivation(ExpansionContext c, string x)
    {
        string activation = c.Text("activation", "");
        // FusedConv lists the activation's parameters in activation_params; FusedGemm names them activation_alpha, _beta.
        var parameters = c.Node.Attribute.FirstOrDefault(a => a.Name == "activation_params")?.Floats.ToArray()
            ?? new[] { "activation_alpha", "activation_beta" }.Select(n => c.Node.Attribute.FirstOrDefault(a => a.Name == n))
                .TakeWhile(a => a is not null).Select(a => a!.F).ToArray();
        switch (activation)
        {
            case "":
                c.W.Add("Identity", [x], c.Output(0));
                return null;
            case "Relu" or "Tanh" or "Sigmoid":
                c.W.Add(activation, [x], c.Output(0));
                return null;
            case "LeakyRelu":
                c.W.Add("LeakyRelu", [x], c.Output(0), GraphBuilder.Float("alpha", parameters.FirstOrDefault(0.01f)));
                return null;
            case "Clip" when parameters.Length == 2:
                c.W.Add("Clip", [x, c.W.Scalar(parameters[0]), c.W.Scalar(parameters[1])], c.Output(0));
                return null;
            case "HardSigmoid" when parameters.Length == 2:
                c.W.Add("HardSigmoid", [x], c.Output(0), GraphBuilder.Float("alpha", parameters[0]), GraphBuilder.Float("beta", parameters[1]));
                return null;
            default:
                return $"fused activation '{activation}' is not expanded";
        }
    }

    /// <summary>
    /// Multi-head self-attention as ONNX Runtime's transformer optimiser fuses it: qkv = input · W (+ bias), split into
    /// q, k, v of num_heads heads, softmax(q·kᵀ·scale + mask)·v, heads merged back. The mask is a raw [B, S] 0/1 mask or
    /// [B] sequence lengths (mask_index), and a causal mask when unidirectional; both add mask_filter_value where masked.
    /// Past states, relative position biases and rotary embeddings are refused.
    /// </summary>
    private static string? Attention(ExpansionContext c)
    {
        if (c.Input(4) is not null || c.Output(1) is not null) return "past and present states are not expanded";
        if (c.Input(5) is not null || c.Int("do_rotary", 0) != 0) return "relative position biases and rotary embeddings are not expanded";
        var weights = c.Initializer(c.Input(1));
        if (weights is not { Dims.Count: 2 }) return "its weights are not one constant [hidden, 3·hidden] matrix";
        long heads = c.Int("num_heads", 0);
        long[] sizes = c.Node.Attribute.FirstOrDefault(a => a.Name == "qkv_hidden_sizes")?.Ints.ToArray() is { Length: 3 } given
            ? given : Enumerable.Repeat(weights.Dims[1] / 3, 3).ToArray();
        if (heads <= 0 || sizes.Any(s => s % heads != 0) || sizes.Sum() != weights.Dims[1]) return "num_heads does not divide the q, k and v sizes";
        var w = c.W;
        if (c.Int("unidirectional", 0) != 0 && w.Opset < 14) return "a causal mask before opset 14 (Trilu) is not expanded";
        string qkv = w.Add("MatMul", [c.Input(0)!, c.Input(1)!]);
        if (c.Input(2) is { } bias) qkv = w.Add("Add", [qkv, bias]);
        string[] parts = [w.Fresh("q"), w.Fresh("k"), w.Fresh("v")];
        w.Node("Split", w.Opset >= 13 ? [qkv, w.Int64s(sizes)] : [qkv], parts, null, "",
            w.Opset >= 13 ? [GraphBuilder.Int("axis", -1)] : [GraphBuilder.Int("axis", -1), GraphBuilder.Ints("split", sizes)]);
        string Heads(string x, long size, long[] perm) =>
            w.Add("Transpose", [w.Add("Reshape", [x, w.Int64s(0, 0, heads, size / heads)])], null, GraphBuilder.Ints("perm", perm));
        string q = Heads(parts[0], sizes[0], [0, 2, 1, 3]), k = Heads(parts[1], sizes[1], [0, 2, 3, 1]), v = Heads(parts[2], sizes[2], [0, 2, 1, 3]);
        double scale = c.Float("scale", 1 / Math.Sqrt(sizes[0] / heads));
        string scores = w.Add("Mul", [w.Add("MatMul", [q, k]), w.Scalar(scale)]);
        double filter = c.Float("mask_filter_value", -10000.0);
        string length = w.Add("Gather", [w.Add("Shape", [c.Input(0)!]), w.Int64s([1], [])], null, GraphBuilder.Int("axis", 0));
        if (c.Input(3) is { } mask)
        {
            // [B, S] 0/1 (the rank 2 the optimiser writes for a raw mask) or [B] lengths: where a key position is masked,
            // add mask_filter_value. The rank is the file's, else a raw mask is assumed.
            string masked = c.Rank(mask) == 1
                ? w.CastToFloat(w.Add("Not", [w.Add("Less", [w.Unsqueeze(w.Add("Range", [w.Int64s([0], []), length, w.Int64s([1], [])]), [0]),
                    w.Unsqueeze(w.Add("Cast", [mask], null, GraphBuilder.Int("to", 7)), [1])])]))
                : w.Add("Sub", [w.Scalar(1), w.CastToFloat(mask)]);
            scores = w.Add("Add", [scores, w.Unsqueeze(w.Add("Mul", [masked, w.Scalar(filter)]), [1, 2])]);
        }
        if (c.Int("unidirectional", 0) != 0)
        {
            string square = w.Add("Concat", [w.Unsqueeze(length, [0]), w.Unsqueeze(length, [0])], null, GraphBuilder.Int("axis", 0));
            string ones = w.Add("ConstantOfShape", [square], null, new AttributeProto
            { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = w.FloatTensor("one", [1], [1.0]) });
            scores = w.Add("Add", [scores, w.Add("Mul", [w.Add("Trilu", [ones, w.Int64s([1], [])], null, GraphBuilder.Int("upper", 1)), w.Scalar(filter)])]);
        }
        string context = w.Add("MatMul", [w.Add("Softmax", [scores], null, GraphBuilder.Int("axis", -1)), v]);
        w.Add("Reshape", [w.Add("Transpose", [context], null, GraphBuilder.Ints("perm", [0, 2, 1, 3])), w.Int64s(0, 0, sizes[2])], c.Output(0));
        return null;
    }

    /// <summary>
    /// BERT's embeddings as the transformer optimiser fuses them: word, position (0..S-1, or given position ids) and,
    /// when present, segment embeddings summed and layer-normalised; the mask index output is each example's count of
    /// unmasked positions.
    /// </summary>
    private static string? EmbedLayerNormalization(ExpansionContext c)
    {
        var w = c.W;
        string ids = c.Input(0)!;
        string sum = w.Add("Gather", [c.Input(2)!, ids], null, GraphBuilder.Int("axis", 0));
        string positions = c.Input(8) ?? w.Add("Range", [w.Int64s([0], []),
            w.Add("Gather", [w.Add("Shape", [ids]), w.Int64s([1], [])], null, GraphBuilder.Int("axis", 0)), w.Int64s([1], [])]);
        sum = w.Add("Add", [sum, w.Add("Gather", [c.Input(3)!, positions], null, GraphBuilder.Int("axis", 0))]);
        if (c.Input(1) is { } segments && c.Input(4) is { } segmentTable)
            sum = w.Add("Add", [sum, w.Add("Gather", [segmentTable, segments], null, GraphBuilder.Int("axis", 0))]);
        if (c.Output(2) is { } embeddingSum) w.Add("Identity", [sum], embeddingSum);
        if (c.Output(1) is { } maskIndex)
        {
            if (c.Input(7) is not { } mask) return "its mask index is read but it has no mask";
            w.Add("Cast", [w.ReduceSum(w.Add("Cast", [mask], null, GraphBuilder.Int("to", 7)), [1], keepDims: false)], maskIndex, GraphBuilder.Int("to", 6));
        }
        return LayerNorm(c, sum, c.Input(5)!, c.Input(6), c.Output(0)!);
    }

    /// <summary>x · (1 + erf(x / √2)) · 0.5, as PyTorch writes GELU before opset 20.</summary>
    private static string Gelu(GraphBuilder w, string x) =>
        w.Add("Mul", [w.Add("Mul", [x, w.Add("Add", [w.Add("Erf", [w.Add("Div", [x, w.Scalar(Math.Sqrt(2))])]), w.Scalar(1)])]), w.Scalar(0.5)]);

    /// <summary>0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).</summary>
    private static string TanhGelu(GraphBuilder w, string x)
    {
        string cube = w.Add("Mul", [w.Add("Mul", [x, x]), x]);
        string inner = w.Add("Mul", [w.Add("Add", [x, w.Add("Mul", [cube, w.Scalar(0.044715)])]), w.Scalar(Math.Sqrt(2 / Math.PI))]);
        return w.Add("Mul", [w.Add("Mul", [x, w.Add("Add", [w.Add("Tanh", [inner]), w.Scalar(1)])]), w.Scalar(0.5)]);
    }

    /// <summary>Layer normalisation over the last axis: the standard operator from opset 17, else written out as PyTorch
    /// exports it (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add).</summary>
    private static string? LayerNorm(ExpansionContext c, string x, string gamma, string? beta, string output)
    {
        double epsilon = c.Float("epsilon", 1e-5);
        if (c.Int("axis", -1) != -1) return "normalisation over other than the last axis is not expanded";
        var w = c.W;
        if (w.Opset >= 17)
        {
            w.Add("LayerNormalization", beta is null ? [x, gamma] : [x, gamma, beta], output, GraphBuilder.Float("epsilon", epsilon));
            return null;
        }
        string centred = w.Add("Sub", [x, w.Reduce("ReduceMean", x, [-1], keepDims: true)]);
        string variance = w.Reduce("ReduceMean", w.Add("Pow", [centred, w.Scalar(2)]), [-1], keepDims: true);
        string normalised = w.Add("Div", [centred, w.Add("Sqrt", [w.Add("Add", [variance, w.Scalar(epsilon)])])]);
        if (beta is null) w.Add("Mul", [normalised, gamma], output);
        else w.Add("Add", [w.Add("Mul", [normalised, gamma]), beta], output);
        return null;
    }

    /// <summary>RMS normalisation over the last axis: x / √(mean(x²) + ε) · γ.</summary>
    private static string? RmsNorm(ExpansionContext c, string x, string gamma, string output)
    {
        if (c.Int("axis", -1) != -1) return "normalisation over other than the last axis is not expanded";
        var w = c.W;
        string meanSquare = w.Reduce("ReduceMean", w.Add("Mul", [x, x]), [-1], keepDims: true);
        w.Add("Mul", [w.Add("Div", [x, w.Add("Sqrt", [w.Add("Add", [meanSquare, w.Scalar(c.Float("epsilon", 1e-6))])])]), gamma], output);
        return null;
    }
}
