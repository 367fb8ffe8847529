using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Dense layers (docs/method.md §1-2): Gemm, and MatMul by a constant matrix, whose units are the features on the data
/// input's last axis (a MatMul over [batch, tokens, features] or [batch, H, W, C] is a dense layer applied at every
/// position). A MatMul of two activations (attention) is not a layer: the tracer gives its output no units.
/// </summary>
internal static class DenseOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("Gemm", ChannelFlow.Layer, GemmShapes, GemmGradient, weights: GemmWeights, traits: new()
        {
            LayerRefusal = node => node.GetInt("transA", 0) != 0 ? "transA = 1 on the activations is not supported" : null,
            DenseMatrix = (node, shapes, features, outputs) => Matrix(node, shapes, features, outputs,
                node.GetInt("transB", 0) != 0, node.GetFloat("alpha", 1.0)),
            DenseBias = GemmBias,
        });
        yield return Op("MatMul", ChannelFlow.Layer, MatMulShapes, MatMulGradient, weights: MatMulWeights, traits: new()
        {
            DenseMatrix = (node, shapes, features, outputs) => Matrix(node, shapes, features, outputs, transposed: false, alpha: 1.0),
            DenseBias = (_, _, outputs) => new float[outputs],
        });
        // Einsum multiplies activations in MaxViT's attention: like a MatMul of two activations, not a layer.
        yield return Op("Einsum", ChannelFlow.Layer, EinsumShapes, EinsumGradient);
    }

    /// <summary>The constant matrix operand as W'[features x outputs] in float32, alpha folded in (W' = alpha·Bᵀ when
    /// <paramref name="transposed"/>); null when it is not one constant matrix.</summary>
    private static float[]? Matrix(OnnxNode node, InferredShapes shapes, int features, int outputs, bool transposed, double alpha)
    {
        var weight = shapes.ConstantOf(node.Input(1));
        if (weight is null || weight.Shape.Length != 2) return null;
        var values = weight.AsDoubles();
        var w = new float[features * outputs];
        for (int f = 0; f < features; f++)
            for (int j = 0; j < outputs; j++)
                w[f * outputs + j] = (float)(alpha * (transposed ? values[j * features + f] : values[f * outputs + j]));
        return w;
    }

    /// <summary>Gemm's beta·C as one vector over the outputs (zeros without C); null when C is not a constant of one value
    /// per output (or one value for all), e.g. a bias that differs between rows.</summary>
    private static float[]? GemmBias(OnnxNode node, InferredShapes shapes, int outputs)
    {
        if (node.Input(2) is not { } input) return new float[outputs];
        var c = shapes.ConstantOf(input);
        if (c is null || c.Shape.Take(Math.Max(0, c.Shape.Length - 1)).Any(d => d != 1)) return null;
        long last = c.Shape.Length == 0 ? 1 : c.Shape[^1];
        if (last != outputs && last != 1) return null;
        var values = c.AsDoubles();
        double beta = node.GetFloat("beta", 1.0);
        return Enumerable.Range(0, outputs).Select(j => (float)(beta * values[last == 1 ? 0 : j])).ToArray();
    }

    /// <summary>An Einsum equation as operand and output letter strings (spaces dropped), an ellipsis written out as
    /// letters the equation does not use, right-aligned across the operands as numpy broadcasts them (operand i has rank
    /// <paramref name="rankOf"/>(i)).</summary>
    private static (string[] Operands, string Output)? ParseEinsum(OnnxNode node, Func<int, int> rankOf)
    {
        string equation = node.GetString("equation", "").Replace(" ", "");
        if (equation.Contains("..."))
        {
            string[] parts = equation.Split("->");
            string[] terms = parts[0].Split(',');
            var spare = Enumerable.Range(0, 52).Select(i => (char)(i < 26 ? 'A' + i : 'a' + i - 26)).Where(ch => !equation.Contains(ch)).ToArray();
            int[] lengths = terms.Select((t, i) => t.Contains("...") ? rankOf(i) - (t.Length - 3) : 0).ToArray();
            int longest = lengths.Max();
            if (lengths.Any(l => l < 0) || longest > spare.Length) return null;
            string Letters(int length) => new(spare[(longest - length)..longest]);
            terms = terms.Select((t, i) => t.Replace("...", Letters(lengths[i]))).ToArray();
            equation = string.Join(",", terms) + (parts.Length > 1 ? "->" + parts[1].Replace("...", Letters(longest)) : "");
            if (parts.Length == 1)
                equation += "->" + Letters(longest) + new string(string.Concat(parts[0].Split(',').Select(t => t.Replace("...", "")))
                    .GroupBy(ch => ch).Where(g => g.Count() == 1).Select(g => g.Key).Order().ToArray());
        }
        string[] sides = equation.Split("->");
        string[] operands = sides[0].Split(',');
        string output = sides.Length > 1 ? sides[1]
            : new string(string.Concat(operands).GroupBy(ch => ch).Where(g => g.Count() == 1).Select(g => g.Key).Order().ToArray());
        return (operands, output);
    }

    private static void EinsumShapes(ShapeContext c)
    {
        var parsed = ParseEinsum(c.Node, i => c.Shape(i).Length) ?? throw c.Fail("its ellipsis does not fit the operands' ranks");
        var sizes = new Dictionary<char, long>();
        for (int i = 0; i < parsed.Operands.Length; i++)
        {
            long[] shape = c.Shape(i);
            if (shape.Length != parsed.Operands[i].Length)
                throw c.Fail($"operand {i} has rank {shape.Length} but the equation gives it {parsed.Operands[i].Length} letters");
            for (int a = 0; a < shape.Length; a++)
            {
                char letter = parsed.Operands[i][a];
                if (sizes.TryGetValue(letter, out long known) && known != shape[a] && known != 1 && shape[a] != 1)
                    throw c.Fail($"letter {letter} has sizes {known} and {shape[a]}");
                sizes[letter] = Math.Max(sizes.GetValueOrDefault(letter, 1), shape[a]);
            }
        }
        c.Set(0, parsed.Output.Select(letter => sizes[letter]).ToArray());
    }

    /// <summary>Each operand's gradient is an Einsum of the output gradient with the other operands, back to the
    /// operand's letters (every letter of the operand must appear in the output or another operand).</summary>
    private static IEnumerable<(string, string)> EinsumGradient(GradientContext c)
    {
        var parsed = ParseEinsum(c.Node, i => c.ShapeOf(c.Node.Inputs[i]).Length) ?? throw c.Fail("its ellipsis does not fit the operands' ranks");
        var result = new List<(string, string)>();
        for (int i = 0; i < parsed.Operands.Length; i++)
        {
            string input = c.Node.Inputs[i];
            if (!c.IsDependent(input)) continue;
            string letters = parsed.Operands[i];
            var others = parsed.Operands.Where((_, j) => j != i).ToList();
            if (letters.Distinct().Count() != letters.Length || letters.Any(l => !parsed.Output.Contains(l) && !others.Any(o => o.Contains(l))))
                throw c.Fail($"operand {i} ('{letters}') has a repeated letter or one summed over it alone");
            string equation = string.Join(",", [parsed.Output, .. others]) + "->" + letters;
            var inputs = new List<string> { c.G() };
            inputs.AddRange(c.Node.Inputs.Where((_, j) => j != i));
            result.Add((input, c.W.Add("Einsum", inputs, null, GraphBuilder.String("equation", equation))));
        }
        return result;
    }

    private static void GemmShapes(ShapeContext c)
    {
        long[] a = c.Shape(0), b = c.Shape(1);
        if (a.Length != 2 || b.Length != 2)
            throw c.Fail($"expected 2-D inputs; got {ShapeContext.Format(a)} and {ShapeContext.Format(b)}");
        bool transA = c.Node.GetInt("transA", 0) != 0, transB = c.Node.GetInt("transB", 0) != 0;
        long m = transA ? a[1] : a[0], k = transA ? a[0] : a[1];
        long kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
        if (k != kb)
            throw c.Fail($"weight B has shape {ShapeContext.Format(b)} but its input has {k} units; expected [{(transB ? "*, " + k : k + ", *")}]");
        c.Set(0, [m, n]);
    }

    private static void MatMulShapes(ShapeContext c)
    {
        long[] a = c.Shape(0), b = c.Shape(1);
        long[] a2 = a.Length == 1 ? [1, a[0]] : a, b2 = b.Length == 1 ? [b[0], 1] : b;
        if (a2[^1] != b2[^2])
            throw c.Fail($"inner dimensions differ: {ShapeContext.Format(a)} x {ShapeContext.Format(b)}");
        long[] batch = TensorLayout.Broadcast(a2[..^2], b2[..^2]) ?? throw c.Fail("batch dimensions do not broadcast");
        var shape = new List<long>(batch);
        if (a.Length > 1) shape.Add(a2[^2]);
        if (b.Length > 1) shape.Add(b2[^1]);
        c.Set(0, shape.ToArray());
    }

    private static LayerWeights GemmWeights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units)
    {
        var weight = shapes.ConstantOf(node.Input(1)) ?? throw new InvalidOperationException("Gemm weight is not constant");
        bool transposed = node.GetInt("transB", 0) != 0;
        double alpha = node.GetFloat("alpha", 1.0);
        return Aggregate(weight, transposed, alpha, featureUnits, units, unitAxis: 1);
    }

    private static LayerWeights MatMulWeights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units)
    {
        var weight = shapes.ConstantOf(node.Input(1)) ?? throw new InvalidOperationException("MatMul weight is not constant");
        if (weight.Shape.Length != 2) throw new InvalidOperationException("MatMul weight is not a matrix");
        return Aggregate(weight, transposed: false, 1.0, featureUnits, units, shapes.ShapeOf(node.Inputs[0]).Length - 1);
    }

    /// <summary>
    /// W [features x outputs] (or [outputs x features] when transposed) times alpha per output and input unit: with its
    /// sign when every unit is one feature; the entrywise L1 norm over a unit's features when units group several (a
    /// flattened conv feature map, one unit per channel, like a kernel's L1 norm over positions).
    /// </summary>
    private static LayerWeights Aggregate(OnnxTensor weight, bool transposed, double alpha, int[] featureUnits, int units, int unitAxis)
    {
        int features = featureUnits.Length;
        int outputs = (int)(transposed ? weight.Shape[0] : weight.Shape[1]);
        bool signed = features == units;
        double Value(float w) => signed ? alpha * w : Math.Abs(alpha * w);
        var values = new double[(long)outputs * units];
        if (transposed)
        {
            var row = new float[features];
            for (int j = 0; j < outputs; j++)
            {
                weight.ReadSingles((long)j * features, row);
                for (int f = 0; f < features; f++) values[(long)j * units + featureUnits[f]] += Value(row[f]);
            }
        }
        else
        {
            // Outputs in blocks, so that the rows of values one feature writes stay in cache for the next feature (a
            // feature writes one entry in every output's row).
            const int block = 256;
            var row = new float[Math.Min(block, outputs)];
            for (int j0 = 0; j0 < outputs; j0 += block)
            {
                int count = Math.Min(block, outputs - j0);
                var part = row.AsSpan(0, count);
                for (int f = 0; f < features; f++)
                {
                    weight.ReadSingles((long)f * outputs + j0, part);
                    int u = featureUnits[f];
                    for (int j = 0; j < count; j++) values[(long)(j0 + j) * units + u] += Value(part[j]);
                }
            }
        }
        return new LayerWeights(outputs, unitAxis, values, signed, Convolution: false);
    }

    private static IEnumerable<(string, string)> GemmGradient(GradientContext c)
    {
        c.RequireConstant(1, 2);
        // Y = alpha·op(A)·op(B) + beta·C  =>  d op(A) = alpha·dY·op(B)ᵀ, and dA is its transpose when transA.
        var w = c.W;
        double alpha = c.Node.GetFloat("alpha", 1);
        bool transA = c.Node.GetInt("transA", 0) != 0, transB = c.Node.GetInt("transB", 0) != 0;
        string b = c.Node.Inputs[1];
        string product = w.Opset >= 11
            ? w.Add("Gemm", [c.G(), b], null, GraphBuilder.Int("transB", transB ? 0 : 1), GraphBuilder.Float("alpha", alpha))
            : Scale(w, w.Binary("MatMul", c.G(), transB ? b : w.Add("Transpose", [b], null, GraphBuilder.Ints("perm", [1, 0]))), alpha);
        return [(c.X, transA ? w.Add("Transpose", [product], null, GraphBuilder.Ints("perm", [1, 0])) : product)];
    }

    private static string Scale(GraphBuilder w, string x, double factor) => factor == 1 ? x : w.Binary("Mul", x, w.Scalar(factor));

    /// <summary>dA = g·Bᵀ and dB = Aᵀ·g (last two axes swapped), each summed back over broadcast batch axes.</summary>
    private static IEnumerable<(string, string)> MatMulGradient(GradientContext c)
    {
        string a = c.Node.Inputs[0], b = c.Node.Inputs[1];
        int rankA = c.ShapeOf(a).Length, rankB = c.ShapeOf(b).Length;
        if (rankA < 2 || rankB < 2) throw c.Fail("a one-dimensional operand");
        long[] output = c.ShapeOf(c.Y);
        var result = new List<(string, string)>();
        if (c.IsDependent(a))
        {
            string product = c.W.Binary("MatMul", c.G(), SwapLast(c.W, b, rankB));
            result.Add((a, rankB == 2 ? product : c.ReduceTo(product, [.. output[..^1], c.ShapeOf(a)[^1]], a)));
        }
        if (c.IsDependent(b))
        {
            string product = c.W.Binary("MatMul", SwapLast(c.W, a, rankA), c.G());
            long[] full = [.. output[..^2], c.ShapeOf(b)[^2], output[^1]];
            result.Add((b, c.ReduceTo(product, full, b)));
        }
        return result;
    }

    private static string SwapLast(GraphBuilder w, string x, int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return w.Add("Transpose", [x], null, GraphBuilder.Ints("perm", perm));
    }
}
