using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Elementwise arithmetic with numpy broadcasting (folded when constant). Tracing reads each node by its operands
/// (<see cref="ChannelFlow.Elementwise"/>): a constant shift or scale, a merge of two activations (sums), or a gate
/// (products, maxima). Gradients are reduced back to each input's shape.
/// </summary>
internal static class ArithmeticOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Binary("Add", (a, b) => a + b, (a, b) => a + b, kind: ArithmeticKind.Sum);
        yield return Binary("Sub", (a, b) => a - b, (a, b) => a - b, kind: ArithmeticKind.Difference);
        yield return Binary("Mul", (a, b) => a * b, (a, b) => a * b, kind: ArithmeticKind.Product);
        yield return Binary("Div", (a, b) => a / b, (a, b) => b == 0 ? 0 : a / b, kind: ArithmeticKind.Quotient);
        yield return Binary("Pow", Math.Pow, null, PowGradient);
        yield return Binary("Sum", (a, b) => a + b, (a, b) => a + b, kind: ArithmeticKind.Sum);
        yield return Binary("Mean", null, null, MeanGradient, (n, v) => v.Average(), ArithmeticKind.Mean);
        yield return Binary("Max", Math.Max, Math.Max, ExtremumGradient, (n, v) => v.Max());
        yield return Binary("Min", Math.Min, Math.Min, ExtremumGradient, (n, v) => v.Min());
        // Mod appears in shape arithmetic (Swin's window padding); on activations it passes the gradient through.
        yield return Op("Mod", ChannelFlow.Elementwise, c => CommonShapes.Broadcast(
                // fmod = 1: the sign of the dividend (C's fmod, C#'s %); 0: the sign of the divisor (Python's %).
                (a, b) => c.Node.GetInt("fmod", 0) != 0 ? a % b : a - b * Math.Floor(a / b),
                (a, b) => b == 0 ? 0 : c.Node.GetInt("fmod", 0) != 0 ? a % b : ((a % b) + b) % b)(c),
            c => c.IsDependent(c.Node.Inputs[1]) ? throw c.Fail("a divisor that varies with the input") : [(c.X, c.ReduceTo(c.G(), c.ShapeOf(c.Y), c.X))]);
        yield return Op("Neg", ChannelFlow.Scale, CommonShapes.Same(x => -x), c => [(c.X, c.W.Unary("Neg", c.G()))],
            scalar: (_, v) => -v[0], scales: (_, _) => new UnitScale([], [-1]));
    }

    private static OperatorDefinition Binary(string name, Func<double, double, double>? floats, Func<long, long, long>? ints,
        GradientRule? gradient = null, ScalarRule? scalar = null, ArithmeticKind? kind = null) =>
        Op(name, ChannelFlow.Elementwise, CommonShapes.Broadcast(floats, ints), gradient ?? SumsAndProducts,
            scalar: scalar ?? (floats is null ? null : (_, v) => v.Skip(1).Aggregate(v[0], floats)), traits: new() { Arithmetic = kind });

    /// <summary>Add, Sub, Sum, Mul, Div: each dependent input's share of the output gradient.</summary>
    private static IEnumerable<(string, string)> SumsAndProducts(GradientContext c)
    {
        var node = c.Node;
        long[] outputShape = c.ShapeOf(c.Y);
        var result = new List<(string, string)>();
        for (int i = 0; i < node.Inputs.Count; i++)
        {
            string input = node.Inputs[i];
            if (!c.IsDependent(input)) continue;
            string other = node.Inputs[1 - Math.Min(i, 1)];
            string contribution = node.OpType switch
            {
                "Add" or "Sum" => c.G(),
                "Sub" => i == 0 ? c.G() : c.W.Unary("Neg", c.G()),
                "Mul" => c.W.Binary("Mul", c.G(), other),
                "Div" when i == 0 => c.W.Binary("Div", c.G(), other),
                // d(a/b)/db = -a/b² = -(a/b)/b
                _ => c.W.Unary("Neg", c.W.Binary("Div", c.W.Binary("Mul", c.G(), c.Y), node.Inputs[1])),
            };
            result.Add((input, c.ReduceTo(contribution, outputShape, input)));
        }
        return result;
    }

    private static IEnumerable<(string, string)> MeanGradient(GradientContext c)
    {
        long[] outputShape = c.ShapeOf(c.Y);
        string share = c.W.Binary("Mul", c.G(), c.W.Scalar(1.0 / c.Node.Inputs.Count));
        return c.Node.Inputs.Where(c.IsDependent).Select(input => (input, c.ReduceTo(share, outputShape, input))).ToList();
    }

    /// <summary>Max and Min: to the inputs equal to the output, shared equally between ties (PyTorch's maximum).</summary>
    private static IEnumerable<(string, string)> ExtremumGradient(GradientContext c)
    {
        long[] outputShape = c.ShapeOf(c.Y);
        var masks = c.Node.Inputs.Select(i => c.W.CastToFloat(c.W.Binary("Equal", i, c.Y))).ToList();
        string ties = masks.Count == 1 ? masks[0] : c.W.Add("Sum", masks);
        string share = c.W.Binary("Div", c.G(), ties);
        return c.Node.Inputs.Select((input, k) => (input, k)).Where(p => c.IsDependent(p.input))
            .Select(p => (p.input, c.ReduceTo(c.W.Binary("Mul", share, masks[p.k]), outputShape, p.input))).ToList();
    }

    /// <summary>x^e with a constant exponent: g · e · x^(e-1).</summary>
    private static IEnumerable<(string, string)> PowGradient(GradientContext c)
    {
        c.RequireConstant(1);
        var exponent = c.ConstantTensor(1) ?? throw c.Fail("the exponent is not a constant");
        double[] values = exponent.AsDoubles();
        string e = c.W.Constant(exponent.Shape, values, "pow_exponent");
        string lowered = c.W.Constant(exponent.Shape, values.Select(v => v - 1).ToArray(), "pow_lowered");
        string derivative = c.W.Binary("Mul", e, c.W.Binary("Pow", c.X, lowered));
        return [(c.X, c.ReduceTo(c.W.Binary("Mul", c.G(), derivative), c.ShapeOf(c.Y), c.X))];
    }
}
