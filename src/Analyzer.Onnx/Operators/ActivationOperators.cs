using Analyzer.Onnx.Building;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Elementwise non-linearities (and Softmax, LRN): same shape; units pass on with their origins, now past a
/// non-linearity (docs/method.md §2); each has its vector-Jacobian product and, where the self-gate rule needs it
/// (docs/method.md §2, gates), its scalar function.
/// </summary>
internal static class ActivationOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Unary("Relu", x => Math.Max(0, x),
            // y > 0 exactly where x > 0; reading y rather than x lets ONNX Runtime fuse the forward Relu into its conv
            // (and Greater + Cast + Mul runs faster there than Where or Sign).
            c => c.Chain(c.W.CastToFloat(c.W.Binary("Greater", c.Y, c.W.Scalar(0)))), traits: new() { FusesIntoConv = true, Rectifier = true });
        yield return Unary("LeakyRelu", null, c =>
            c.Chain(c.W.Add("Where", [c.W.Binary("Greater", c.X, c.W.Scalar(0)), c.W.Scalar(1), c.W.Scalar(c.Node.GetFloat("alpha", 0.01))])),
            (n, x) => x > 0 ? x : n.GetFloat("alpha", 0.01) * x);
        yield return Op("PRelu", ChannelFlow.Activation, CommonShapes.Same(), c =>
        {
            c.RequireConstant(1);
            return [(c.X, c.W.Binary("Mul", c.G(), c.W.Add("Where", [c.W.Binary("Greater", c.X, c.W.Scalar(0)), c.W.Scalar(1), c.Node.Inputs[1]])))];
        });
        yield return Unary("Sigmoid", x => 1 / (1 + Math.Exp(-x)), c => c.Chain(c.W.Binary("Mul", c.Y, c.W.Binary("Sub", c.W.Scalar(1), c.Y))),
            traits: new() { Probabilities = true });
        yield return Unary("Tanh", Math.Tanh, c => c.Chain(c.W.Binary("Sub", c.W.Scalar(1), c.W.Binary("Mul", c.Y, c.Y))));
        yield return Op("Clip", ChannelFlow.Activation, CommonShapes.Same(), c => c.Chain(ClipMask(c)));
        yield return Unary("Softplus", x => x > 30 ? x : Math.Log(1 + Math.Exp(x)), c => c.Chain(c.W.Unary("Sigmoid", c.X)));
        yield return Unary("Softsign", x => x / (1 + Math.Abs(x)), c =>
        {
            string denominator = c.W.Binary("Add", c.W.Scalar(1), c.W.Unary("Abs", c.X));
            return [(c.X, c.W.Binary("Div", c.G(), c.W.Binary("Mul", denominator, denominator)))];
        });
        yield return Unary("Exp", Math.Exp, c => c.Chain(c.Y));
        yield return Unary("Log", Math.Log, c => [(c.X, c.W.Binary("Div", c.G(), c.X))]);
        yield return Unary("Sqrt", Math.Sqrt, c => [(c.X, c.W.Binary("Div", c.W.Binary("Mul", c.G(), c.W.Scalar(0.5)), c.Y))]);
        yield return Unary("Reciprocal", x => 1 / x, c => [(c.X, c.W.Unary("Neg", c.W.Binary("Mul", c.G(), c.W.Binary("Mul", c.Y, c.Y))))]);
        yield return Unary("Abs", Math.Abs, c => c.Chain(c.W.Unary("Sign", c.X)));
        yield return Unary("Erf", Erf, c =>
            // d erf(x)/dx = 2/sqrt(pi) exp(-x^2)
            c.Chain(c.W.Binary("Mul", c.W.Unary("Exp", c.W.Unary("Neg", c.W.Binary("Mul", c.X, c.X))), c.W.Scalar(2 / Math.Sqrt(Math.PI)))));
        yield return Unary("Gelu", null, GeluGradient, Gelu);
        yield return Unary("Elu", null, EluGradient, (n, x) => x > 0 ? x : n.GetFloat("alpha", 1.0) * (Math.Exp(x) - 1));
        yield return Unary("Selu", null, EluGradient);
        yield return Unary("Celu", null, c =>
        {
            double alpha = c.Node.GetFloat("alpha", 1.0);
            // x > 0: 1; else exp(x / alpha) = y / alpha + 1
            return c.Chain(c.W.Add("Where", [c.W.Binary("Greater", c.X, c.W.Scalar(0)), c.W.Scalar(1),
                c.W.Binary("Add", c.W.Binary("Mul", c.Y, c.W.Scalar(1 / alpha)), c.W.Scalar(1))]));
        });
        yield return Unary("ThresholdedRelu", null, c =>
            c.Chain(c.W.CastToFloat(c.W.Binary("Greater", c.X, c.W.Scalar(c.Node.GetFloat("alpha", 1.0))))));
        yield return Unary("HardSigmoid", null, c =>
        {
            // PyTorch: alpha where 0 < alpha·x + beta < 1 (strictly), else 0.
            double alpha = c.Node.GetFloat("alpha", 0.2), beta = c.Node.GetFloat("beta", 0.5);
            string v = c.W.Binary("Add", c.W.Binary("Mul", c.X, c.W.Scalar(alpha)), c.W.Scalar(beta));
            string inside = c.W.Binary("And", c.W.Binary("Greater", v, c.W.Scalar(0)), c.W.Binary("Less", v, c.W.Scalar(1)));
            return c.Chain(c.W.Binary("Mul", c.W.CastToFloat(inside), c.W.Scalar(alpha)));
        }, (n, x) => Math.Clamp(n.GetFloat("alpha", 0.2) * x + n.GetFloat("beta", 0.5), 0, 1));
        yield return Unary("HardSwish", x => x * Math.Clamp(x / 6 + 0.5, 0, 1), c =>
        {
            // PyTorch: 0 below -3, x/3 + 1/2 up to 3, 1 above.
            string middle = c.W.Binary("Add", c.W.Binary("Mul", c.X, c.W.Scalar(1.0 / 3)), c.W.Scalar(0.5));
            return c.Chain(c.W.Add("Where", [c.W.Binary("Less", c.X, c.W.Scalar(-3)), c.W.Scalar(0),
                c.W.Add("Where", [c.W.Binary("Greater", c.X, c.W.Scalar(3)), c.W.Scalar(1), middle])]));
        });
        yield return Unary("Mish", x => x * Math.Tanh(x > 30 ? x : Math.Log(1 + Math.Exp(x))), c =>
        {
            // tanh(sp) + x·(1 - tanh²(sp))·σ(x), sp = softplus(x)
            string t = c.W.Unary("Tanh", c.W.Unary("Softplus", c.X));
            string sech2 = c.W.Binary("Sub", c.W.Scalar(1), c.W.Binary("Mul", t, t));
            return c.Chain(c.W.Binary("Add", t, c.W.Binary("Mul", c.W.Binary("Mul", c.X, sech2), c.W.Unary("Sigmoid", c.X))));
        });
        yield return Unary("Sign", x => Math.Sign(x), c => []);
        yield return Unary("Floor", Math.Floor, c => []);
        yield return Unary("Ceil", Math.Ceiling, c => []);
        yield return Unary("Round", x => Math.Round(x, MidpointRounding.ToEven), c => []);
        yield return Op("Softmax", ChannelFlow.Activation, CommonShapes.Same(), c =>
        {
            // dx = y · (g - Σ_axis g·y)
            long[] axes = SoftmaxAxes(c);
            string gy = c.W.Binary("Mul", c.G(), c.Y);
            return [(c.X, c.W.Binary("Mul", c.Y, c.W.Binary("Sub", c.G(), c.W.ReduceSum(gy, axes, keepDims: true))))];
        }, traits: new() { Reach = ActivationReach.Distribution, Probabilities = true });
        yield return Op("LogSoftmax", ChannelFlow.Activation, CommonShapes.Same(), c =>
        {
            // dx = g - softmax · Σ_axis g
            long[] axes = SoftmaxAxes(c);
            return [(c.X, c.W.Binary("Sub", c.G(), c.W.Binary("Mul", c.W.Unary("Exp", c.Y), c.W.ReduceSum(c.G(), axes, keepDims: true))))];
        }, traits: new() { Reach = ActivationReach.Distribution });
        yield return Op("LRN", ChannelFlow.Activation, CommonShapes.Same(), LrnGradient, traits: new() { Reach = ActivationReach.Neighbourhood });
    }

    private static OperatorDefinition Unary(string name, Func<double, double>? scalar, GradientRule gradient,
        Func<Model.OnnxNode, double, double>? attributeScalar = null, OperatorTraits? traits = null) =>
        Op(name, ChannelFlow.Activation, CommonShapes.Same(scalar), gradient,
            scalar: attributeScalar is not null ? (n, x) => attributeScalar(n, x[0]) : scalar is null ? null : (_, x) => scalar(x[0]), traits: traits);

    /// <summary>
    /// Local response normalisation y_c = x_c / d_c^β with d_c = bias + (α/size) Σ_{c' in window(c)} x_c'², the window
    /// [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉]: dx_k = g_k d_k^-β - (2αβ/size) x_k Σ_{c: k in window(c)} g_c x_c d_c^(-β-1). Both
    /// channel-window sums are convolutions with a column of ones over the channel axis of [N, 1, C, H·W].
    /// </summary>
    private static IEnumerable<(string, string)> LrnGradient(GradientContext c)
    {
        var w = c.W;
        long size = c.Node.GetInt("size", 1);
        double alpha = c.Node.GetFloat("alpha", 1e-4), beta = c.Node.GetFloat("beta", 0.75), bias = c.Node.GetFloat("bias", 1.0);
        long before = (size - 1) / 2, after = size - 1 - before;
        long[] shape = c.ShapeOf(c.X);
        if (shape.Length < 3) throw c.Fail("LRN needs [N, C, spatial...]");
        long spatial = shape[2..].Aggregate(1L, (a, d) => a * d);
        string ones = w.Constant([1, 1, size, 1], () => Enumerable.Repeat(1f, (int)size).ToArray(), "lrn_window");
        string WindowSum(string t, long top, long bottom)
        {
            string column = w.Add("Reshape", [t, w.Int64s(0, 1, shape[1], spatial)]);
            string summed = w.Add("Conv", [column, ones], null, GraphBuilder.Ints("kernel_shape", [size, 1]),
                GraphBuilder.Ints("pads", [top, 0, bottom, 0]));
            return w.ReshapeLike(summed, c.X);
        }
        string d = w.Binary("Add", w.Binary("Mul", WindowSum(w.Binary("Mul", c.X, c.X), before, after), w.Scalar(alpha / size)), w.Scalar(bias));
        string dPow = w.Binary("Pow", d, w.Scalar(-beta));
        string direct = w.Binary("Mul", c.G(), dPow);
        // Σ over the windows that contain k: the reflected window.
        string inner = w.Binary("Mul", w.Binary("Mul", c.G(), c.X), w.Binary("Div", dPow, d));
        string spread = WindowSum(inner, after, before);
        string cross = w.Binary("Mul", w.Binary("Mul", c.X, spread), w.Scalar(2 * alpha * beta / size));
        return [(c.X, w.Binary("Sub", direct, cross))];
    }

    /// <summary>The axes a Softmax normalises over: the one axis from opset 13, all axes from "axis" on before it.</summary>
    private static long[] SoftmaxAxes(GradientContext c)
    {
        int rank = c.ShapeOf(c.X).Length;
        int axis = c.Axis(c.Node.GetInt("axis", c.W.Opset >= 13 ? -1 : 1), c.X);
        return c.W.Opset >= 13 ? [axis] : Enumerable.Range(axis, rank - axis).Select(a => (long)a).ToArray();
    }

    private static string ClipMask(GradientContext c)
    {
        double? min = null, max = null;
        if (c.W.Opset < 11)
        {
            min = c.Node.HasAttribute("min") ? c.Node.GetFloat("min", 0) : null;
            max = c.Node.HasAttribute("max") ? c.Node.GetFloat("max", 0) : null;
        }
        else
        {
            if (c.Node.Input(1) is not null) min = c.Constant(1)[0];
            if (c.Node.Input(2) is not null) max = c.Constant(2)[0];
        }
        // PyTorch's clamp: the gradient passes where min <= x <= max.
        string? mask = null;
        if (min is { } lo) mask = c.W.Unary("Not", c.W.Binary("Less", c.X, c.W.Scalar(lo)));
        if (max is { } hi)
        {
            string upper = c.W.Unary("Not", c.W.Binary("Greater", c.X, c.W.Scalar(hi)));
            mask = mask is null ? upper : c.W.Binary("And", mask, upper);
        }
        return mask is null ? c.W.Scalar(1) : c.W.CastToFloat(mask);
    }

    private static IEnumerable<(string, string)> EluGradient(GradientContext c)
    {
        // x > 0: slope (1, or gamma); else y + alpha·slope (the derivative of slope·alpha·(eˣ - 1)).
        bool elu = c.Node.OpType == "Elu";
        double alpha = c.Node.GetFloat("alpha", elu ? 1.0 : 1.67326319217681884765625);
        double gamma = elu ? 1.0 : c.Node.GetFloat("gamma", 1.05070102214813232421875);
        string slope = c.W.Add("Where", [c.W.Binary("Greater", c.X, c.W.Scalar(0)), c.W.Scalar(gamma), c.W.Binary("Add", c.Y, c.W.Scalar(alpha * gamma))]);
        return c.Chain(slope);
    }

    private static IEnumerable<(string, string)> GeluGradient(GradientContext c)
    {
        var w = c.W;
        if (c.Node.GetString("approximate", "none") == "tanh")
        {
            // y = x/2 (1 + tanh u), u = √(2/π)(x + 0.044715 x³): dy/dx = (1 + tanh u)/2 + x/2 (1 - tanh² u) u'
            double k = Math.Sqrt(2 / Math.PI);
            string x2 = w.Binary("Mul", c.X, c.X);
            string u = w.Binary("Mul", w.Binary("Add", c.X, w.Binary("Mul", w.Binary("Mul", x2, c.X), w.Scalar(0.044715))), w.Scalar(k));
            string t = w.Unary("Tanh", u);
            string du = w.Binary("Mul", w.Binary("Add", w.Scalar(1), w.Binary("Mul", x2, w.Scalar(3 * 0.044715))), w.Scalar(k));
            string first = w.Binary("Mul", w.Binary("Add", w.Scalar(1), t), w.Scalar(0.5));
            string second = w.Binary("Mul", w.Binary("Mul", w.Binary("Mul", c.X, w.Scalar(0.5)), w.Binary("Sub", w.Scalar(1), w.Binary("Mul", t, t))), du);
            return c.Chain(w.Binary("Add", first, second));
        }
        // dy/dx = Φ(x) + x φ(x)
        string phi = w.Binary("Mul", w.Unary("Exp", w.Binary("Mul", w.Binary("Mul", c.X, c.X), w.Scalar(-0.5))), w.Scalar(1 / Math.Sqrt(2 * Math.PI)));
        string cdf = w.Binary("Mul", w.Binary("Add", w.Unary("Erf", w.Binary("Mul", c.X, w.Scalar(1 / Math.Sqrt(2)))), w.Scalar(1)), w.Scalar(0.5));
        return c.Chain(w.Binary("Add", cdf, w.Binary("Mul", c.X, phi)));
    }

    private static double Gelu(Model.OnnxNode node, double x) => node.GetString("approximate", "none") == "tanh"
        ? 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)))
        : 0.5 * x * (1 + Erf(x / Math.Sqrt(2)));

    /// <summary>The error function to about 1e-14: its Taylor series below |x| = 2, the continued fraction of erfc
    /// above; used to fold constants and to evaluate gates (docs/method.md §2).</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6) return Math.Sign(x);
        // Taylor series for small |x|, continued fraction (Lentz) for erfc otherwise.
        if (ax < 2)
        {
            double sum = 0, term = x;
            for (int n = 0; n < 60; n++)
            {
                sum += term / (2 * n + 1);
                term *= -x * x / (n + 1);
            }
            return 2 / Math.Sqrt(Math.PI) * sum;
        }
        double f = ax, c0 = ax, d = 0;
        for (int i = 1; i < 200; i++)
        {
            double a = i / 2.0;
            d = ax + a * d;
            d = 1 / d;
            c0 = ax + a / c0;
            double delta = c0 * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        double erfc = Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        return Math.Sign(x) * (1 - erfc);
    }
}
