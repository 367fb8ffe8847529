using Analyzer.Onnx.Building;
using Analyzer.Onnx;
using Analyzer.Onnx.Protos;
using Analyzer.Onnx.Shapes;
using Google.Protobuf;

namespace Analyzer.TestSupport;

/// <summary>
/// Rewrites a float32 model into an equivalent float64 one that ONNX Runtime's CPU provider can run, for finite
/// differences in double precision: every float tensor becomes float64; Conv (which ONNX Runtime implements only in
/// float32) becomes an explicit im2col — Pad, a Gather of constant indices and a MatMul; AveragePool becomes such a conv
/// with constant weights; GlobalAveragePool and GlobalMaxPool become ReduceMean and ReduceMax; activations without
/// float64 kernels are spelled out in Exp, Log, Min and Max. Output: the model's own outputs plus any extra tensors
/// asked for, with a symbolic batch.
/// </summary>
public static class Float64Reference
{
    /// <param name="opsetFloor">Raise the opset import to at least this (for older models whose operators mean the
    /// same at that opset; the rewrite writes opset 13 forms).</param>
    public static byte[] Convert(string path, IReadOnlyList<string> extraOutputs, long opsetFloor = 0)
    {
        var file = OnnxModelFile.Load(path);
        var shapes = ShapeInference.Infer(file.Graph);
        var model = ModelProto.Parser.ParseFrom(file.ToBytes());
        var graph = model.Graph;
        long opset = Math.Max(file.Graph.OpsetVersion, opsetFloor);
        if (opset < 13) throw new ArgumentException("the float64 reference needs opset 13 or later (see opsetFloor)");
        foreach (var import in model.OpsetImport.Where(o => o.Domain.Length == 0)) import.Version = opset;
        foreach (var t in graph.Initializer) ToDouble(t);
        foreach (var v in graph.Input.Concat(graph.Output).Concat(graph.ValueInfo))
            if (v.Type?.TensorType is { ElemType: 1 } tt) tt.ElemType = 11;
        var nodes = graph.Node.ToList();
        graph.Node.Clear();
        var builder = new GraphBuilder(graph, opset, elementType: 11, prefix: "f64_");
        string Fresh(string hint) => builder.Fresh(hint);
        string Ints(long[] values, long[]? dims = null) => builder.Int64s(values, dims ?? [values.Length]);
        string Doubles(long[] dims, double[] values) => builder.Constant(dims, values, "doubles");
        void Add(string op, string[] inputs, string output, params AttributeProto[] attributes) => builder.Add(op, inputs, output, attributes);

        foreach (var node in nodes)
        {
            foreach (var a in node.Attribute)
            {
                if (a.Name == "to" && node.OpType == "Cast" && a.I == 1) a.I = 11;
                if (a.T is { } t) ToDouble(t);
            }
            var decoded = file.Graph.Nodes[nodes.IndexOf(node)];
            switch (node.OpType)
            {
                case "Conv":
                {
                    var w = shapes.ConstantOf(node.Input[1])!;
                    double[]? bias = node.Input.Count > 2 && node.Input[2].Length > 0 ? shapes.ConstantOf(node.Input[2])!.AsDoubles() : null;
                    Im2Col(decoded, node.Input[0], node.Output[0], w.Shape, w.AsDoubles(), bias, decoded.GetInt("group", 1));
                    break;
                }
                case "AveragePool":
                {
                    long[] k = decoded.GetInts("kernel_shape")!;
                    long c = shapes.ShapeOf(node.Input[0])[1];
                    if (decoded.GetInt("count_include_pad", 0) == 0 && (decoded.GetInts("pads")?.Any(p => p != 0) ?? false))
                        throw new ArgumentException("AveragePool with count_include_pad = 0 and pads is not converted");
                    long size = k.Aggregate(1L, (a, b) => a * b);
                    Im2Col(decoded, node.Input[0], node.Output[0], [c, 1, .. k], Enumerable.Repeat(1.0 / size, (int)(c * size)).ToArray(), null, c);
                    break;
                }
                case "LeakyRelu":
                {
                    // No float64 LeakyRelu in ONNX Runtime's CPU provider: max(x, 0) + alpha·min(x, 0).
                    string zero = Doubles([], [0.0]), positive = Fresh("positive"), negative = Fresh("negative"), scaled = Fresh("scaled");
                    Add("Max", [node.Input[0], zero], positive);
                    Add("Min", [node.Input[0], zero], negative);
                    Add("Mul", [negative, Doubles([], [decoded.GetFloat("alpha", 0.01)])], scaled);
                    Add("Add", [positive, scaled], node.Output[0]);
                    break;
                }
                case "Softplus" or "Softsign" or "Elu" or "Selu" or "HardSigmoid" or "HardSwish" or "Celu" or "Erf" or "Gelu" or "PRelu" or "Mean":
                    Smooth(decoded, node.Input[0], node.Output[0]);
                    break;
                case "InstanceNormalization" or "GroupNormalization":
                    Normalisation(decoded, node.Output[0]);
                    break;
                case "LRN":
                    Lrn(decoded, node.Output[0]);
                    break;
                case "GlobalAveragePool":
                    Add("ReduceMean", [node.Input[0]], node.Output[0], Attr("axes", [2, 3]), Attr("keepdims", 1));
                    break;
                case "GlobalMaxPool":
                    Add("ReduceMax", [node.Input[0]], node.Output[0], Attr("axes", [2, 3]), Attr("keepdims", 1));
                    break;
                default:
                    graph.Node.Add(node);
                    break;
            }
        }

        // Activations without float64 kernels in ONNX Runtime's CPU provider, from Exp, Log, Abs, Min, Max, Div.
        void Smooth(Analyzer.Onnx.Model.OnnxNode decoded, string x, string y)
        {
            string Op(string op, params string[] inputs)
            {
                string output = Fresh(op.ToLowerInvariant());
                Add(op, inputs, output);
                return output;
            }
            string Scalar(double v) => Doubles([], [v]);
            string HardSigmoid(double alpha, double beta) =>
                Op("Max", Scalar(0), Op("Min", Scalar(1), Op("Add", Op("Mul", x, Scalar(alpha)), Scalar(beta))));
            string ExpMinus1(string t) => Op("Sub", Op("Exp", t), Scalar(1));
            string result = decoded.OpType switch
            {
                "Erf" => Erf(x),
                "Gelu" when decoded.GetString("approximate", "none") == "none" =>
                    Op("Mul", Op("Mul", x, Scalar(0.5)), Op("Add", Scalar(1), Erf(Op("Mul", x, Scalar(1 / Math.Sqrt(2)))))),
                "Gelu" => Op("Mul", Op("Mul", x, Scalar(0.5)), Op("Add", Scalar(1), Op("Tanh", Op("Mul", Scalar(Math.Sqrt(2 / Math.PI)),
                    Op("Add", x, Op("Mul", Scalar(0.044715), Op("Mul", x, Op("Mul", x, x)))))))),
                "Celu" => Op("Add", Op("Max", x, Scalar(0)), Op("Min", Scalar(0), Op("Mul", Scalar(decoded.GetFloat("alpha", 1.0)),
                    ExpMinus1(Op("Div", x, Scalar(decoded.GetFloat("alpha", 1.0))))))),
                "PRelu" => Op("Add", Op("Max", x, Scalar(0)), Op("Mul", Op("Min", x, Scalar(0)), decoded.Inputs[1])),
                "Mean" => Op("Mul", Op("Sum", [.. decoded.Inputs]), Scalar(1.0 / decoded.Inputs.Count)),
                "Softplus" => Op("Log", Op("Add", Op("Exp", x), Scalar(1))),
                "Softsign" => Op("Div", x, Op("Add", Scalar(1), Op("Abs", x))),
                "Elu" => Op("Add", Op("Max", x, Scalar(0)), Op("Mul", ExpMinus1(Op("Min", x, Scalar(0))), Scalar(decoded.GetFloat("alpha", 1.0)))),
                "Selu" => Op("Mul", Scalar(decoded.GetFloat("gamma", 1.05070102214813232421875)),
                    Op("Add", Op("Max", x, Scalar(0)), Op("Mul", ExpMinus1(Op("Min", x, Scalar(0))), Scalar(decoded.GetFloat("alpha", 1.67326319217681884765625))))),
                "HardSigmoid" => HardSigmoid(decoded.GetFloat("alpha", 0.2), decoded.GetFloat("beta", 0.5)),
                _ => Op("Mul", x, HardSigmoid(1.0 / 6, 0.5)),
            };
            Add("Identity", [result], y);

            // erf(x) = 2/√π · e^(-x²) · Σ_n 2^n x^(2n+1) / (1·3·…·(2n+1)), a series of positive terms (no cancellation),
            // exact to float64 rounding for |x| ≤ 6 in 160 terms; |x| is clipped at 6, where erf is ±1 to 2e-17.
            string Erf(string v)
            {
                string clipped = Op("Max", Scalar(-6), Op("Min", v, Scalar(6)));
                string twoX2 = Op("Mul", Op("Mul", clipped, clipped), Scalar(2));
                string term = clipped, sum = clipped;
                for (int n = 0; n < 160; n++)
                {
                    term = Op("Div", Op("Mul", term, twoX2), Scalar(2 * n + 3));
                    sum = Op("Add", sum, term);
                }
                return Op("Mul", Op("Mul", sum, Op("Exp", Op("Neg", Op("Mul", clipped, clipped)))), Scalar(2 / Math.Sqrt(Math.PI)));
            }
        }

        // LRN spelled out: the squares padded along the channels, the window summed from `size` slices.
        void Lrn(Analyzer.Onnx.Model.OnnxNode decoded, string y)
        {
            string Op(string op, params string[] inputs)
            {
                string output = Fresh(op.ToLowerInvariant());
                Add(op, inputs, output);
                return output;
            }
            string x = decoded.Inputs[0];
            long[] shape = shapes.ShapeOf(x);
            long size = decoded.GetInt("size", 1), before = (size - 1) / 2, after = size - 1 - before;
            double alpha = decoded.GetFloat("alpha", 1e-4), beta = decoded.GetFloat("beta", 0.75), bias = decoded.GetFloat("bias", 1.0);
            var pads = new long[2 * shape.Length];
            pads[1] = before;
            pads[shape.Length + 1] = after;
            string padded = Op("Pad", Op("Mul", x, x), Ints(pads));
            string? sum = null;
            for (long o = 0; o < size; o++)
            {
                string slice = Op("Slice", padded, Ints([o]), Ints([o + shape[1]]), Ints([1]));
                sum = sum is null ? slice : Op("Add", sum, slice);
            }
            string d = Op("Add", Op("Mul", sum!, Doubles([], [alpha / size])), Doubles([], [bias]));
            Add("Div", [x, Op("Pow", d, Doubles([], [beta]))], y);
        }

        // InstanceNormalization and GroupNormalization spelled out: x viewed as [N, G, rest], normalised over rest, then
        // scaled and shifted per channel.
        void Normalisation(Analyzer.Onnx.Model.OnnxNode decoded, string y)
        {
            string Op(string op, params string[] inputs)
            {
                string output = Fresh(op.ToLowerInvariant());
                Add(op, inputs, output);
                return output;
            }
            string x = decoded.Inputs[0];
            long[] shape = shapes.ShapeOf(x);
            long channels = shape[1], groups = decoded.OpType == "GroupNormalization" ? decoded.GetInt("num_groups", 1) : channels;
            string viewed = Op("Reshape", x, Ints([0, groups, -1]));
            string Mean(string t)
            {
                string output = Fresh("mean");
                if (opset >= 18) Add("ReduceMean", [t, Ints([2])], output, Attr("keepdims", 1));
                else Add("ReduceMean", [t], output, Attr("axes", [2]), Attr("keepdims", 1));
                return output;
            }
            string mean = Mean(viewed);
            string centred = Op("Sub", viewed, mean);
            string variance = Mean(Op("Mul", centred, centred));
            string normalised = Op("Div", centred, Op("Sqrt", Op("Add", variance, Doubles([], [decoded.GetFloat("epsilon", 1e-5)]))));
            string back = Op("Reshape", normalised, Ints([0, .. shape[1..]]));
            long[] perChannel = [channels, .. Enumerable.Repeat(1L, shape.Length - 2)];
            string scale = Op("Reshape", decoded.Inputs[1], Ints(perChannel)), bias = Op("Reshape", decoded.Inputs[2], Ints(perChannel));
            Add("Add", [Op("Mul", back, scale), bias], y);
        }

        void Im2Col(Analyzer.Onnx.Model.OnnxNode decoded, string x, string y, long[] wShape, double[] weights, double[]? bias, long group)
        {
            long[] inShape = shapes.ShapeOf(x), outShape = shapes.ShapeOf(y);
            long c = inShape[1], h = inShape[2], wd = inShape[3], co = outShape[1], oh = outShape[2], ow = outShape[3];
            long kh = wShape[2], kw = wShape[3], cg = c / group, cog = co / group;
            long[] strides = decoded.GetInts("strides") ?? [1, 1];
            long[] dil = decoded.GetInts("dilations") ?? [1, 1];
            long[] pads = decoded.GetInts("pads") ?? [0, 0, 0, 0];
            if (decoded.GetString("auto_pad", "NOTSET") is not ("NOTSET" or "VALID"))
                throw new ArgumentException("auto_pad SAME is not converted");
            long hp = h + pads[0] + pads[2], wp = wd + pads[1] + pads[3];
            string padded = Fresh("padded");
            Add("Pad", [x, Ints([0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]])], padded);
            string flat = Fresh("flat");
            Add("Reshape", [padded, Ints([0, c * hp * wp])], flat);
            var parts = new List<string>();
            for (long g = 0; g < group; g++)
            {
                var idx = new long[oh * ow * cg * kh * kw];
                long n = 0;
                for (long i = 0; i < oh; i++)
                    for (long j = 0; j < ow; j++)
                        for (long ci = 0; ci < cg; ci++)
                            for (long a = 0; a < kh; a++)
                                for (long b = 0; b < kw; b++)
                                    idx[n++] = (g * cg + ci) * hp * wp + (i * strides[0] + a * dil[0]) * wp + j * strides[1] + b * dil[1];
                string cols = Fresh("cols");
                Add("Gather", [flat, Ints(idx, [oh * ow, cg * kh * kw])], cols, Attr("axis", 1));
                // W_g as [cg·kh·kw, cog]
                var wt = new double[cg * kh * kw * cog];
                for (long o = 0; o < cog; o++)
                    for (long r = 0; r < cg * kh * kw; r++)
                        wt[r * cog + o] = weights[(g * cog + o) * cg * kh * kw + r];
                string part = Fresh("part");
                Add("MatMul", [cols, Doubles([cg * kh * kw, cog], wt)], part);
                parts.Add(part);
            }
            string joined = Fresh("joined");
            if (parts.Count == 1) Add("Identity", [parts[0]], joined);
            else Add("Concat", [.. parts], joined, Attr("axis", 2));
            if (bias is not null)
            {
                string biased = Fresh("biased");
                Add("Add", [joined, Doubles([co], bias)], biased);
                joined = biased;
            }
            string transposed = Fresh("transposed");
            Add("Transpose", [joined], transposed, Attr("perm", [0, 2, 1]));
            Add("Reshape", [transposed, Ints([0, co, oh, ow])], y);
        }

        var existing = graph.Output.Select(o => o.Name).ToHashSet();
        foreach (var name in extraOutputs.Where(n => !existing.Contains(n)))
            graph.Output.Add(GraphBuilder.Value(name, 11));
        graph.ValueInfo.Clear();
        GraphBuilder.SymbolicBatch(graph);
        return model.ToByteArray();
    }

    private static AttributeProto Attr(string name, long value) => GraphBuilder.Int(name, value);

    private static AttributeProto Attr(string name, long[] values) => GraphBuilder.Ints(name, values);

    private static void ToDouble(TensorProto t)
    {
        if (t.DataType != 1) return;
        double[] values;
        if (t.RawData.Length > 0)
        {
            var bytes = t.RawData.ToByteArray();
            values = new double[bytes.Length / 4];
            for (int i = 0; i < values.Length; i++) values[i] = BitConverter.ToSingle(bytes, 4 * i);
            t.RawData = ByteString.Empty;
        }
        else
        {
            values = t.FloatData.Select(f => (double)f).ToArray();
            t.FloatData.Clear();
        }
        t.DataType = 11;
        t.DoubleData.AddRange(values);
    }
}
