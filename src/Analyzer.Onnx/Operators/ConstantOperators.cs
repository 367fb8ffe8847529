using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Operators that make or pass values without computing on units: constants and shape arithmetic (folded at load
/// time), identity-like passes (Identity, Dropout, Cast), comparisons and logic (whose boolean outputs carry no units),
/// and Where.
/// </summary>
internal static class ConstantOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("Constant", ChannelFlow.ShapeOnly, Constant);
        yield return Op("ConstantOfShape", ChannelFlow.ShapeOnly, ConstantOfShape);
        yield return Op("Shape", ChannelFlow.ShapeOnly, Shape, traits: new() { ReadsShapeOnly = true });
        yield return Op("Size", ChannelFlow.ShapeOnly, c => c.SetInts([], [TensorLayout.Count(c.Shape(0))]), traits: new() { ReadsShapeOnly = true });
        yield return Op("Range", ChannelFlow.ShapeOnly, Range);
        yield return Op("Identity", ChannelFlow.Transparent, c => c.Set(0, c.Shape(0), c.Const(0)), Pass);
        yield return Op("Dropout", ChannelFlow.Transparent, c =>
        {
            c.Set(0, c.Shape(0), c.Const(0));
            c.Set(1, c.Shape(0));
        }, Pass, traits: new() { DifferentiableOutputs = 1 });
        yield return Op("Cast", ChannelFlow.Transparent, c =>
        {
            var to = (TensorElementType)c.Node.GetInt("to", 1);
            var value = c.Const(0);
            c.Set(0, c.Shape(0), value is null ? null : CommonShapes.CastConstant(value, to, c.Node.Outputs[0]));
        }, c =>
        {
            if (c.Node.GetInt("to", 1) != c.W.ElementType) throw c.Fail("casts to another type");
            return Pass(c);
        }, traits: new() { ElementTypeAttribute = "to" });
        foreach (var (name, test) in Comparisons)
            yield return Op(name, ChannelFlow.Opaque, CommonShapes.Broadcast((a, b) => test(a, b) ? 1 : 0, booleanResult: true), NoGradient);
        yield return Op("Not", ChannelFlow.Opaque, c =>
        {
            var value = c.Const(0);
            c.Set(0, c.Shape(0), value is null ? null : OnnxTensor.FromInts(c.Node.Outputs[0], c.Shape(0), value.AsInt64s().Select(v => v == 0 ? 1L : 0L).ToArray()));
        }, NoGradient);
        yield return Op("Where", ChannelFlow.Opaque, Where, WhereGradient);
    }

    private static readonly (string Name, Func<double, double, bool> Test)[] Comparisons =
    [
        ("Equal", (a, b) => a == b), ("Less", (a, b) => a < b), ("Greater", (a, b) => a > b),
        ("LessOrEqual", (a, b) => a <= b), ("GreaterOrEqual", (a, b) => a >= b),
        ("And", (a, b) => a != 0 && b != 0), ("Or", (a, b) => a != 0 || b != 0), ("Xor", (a, b) => (a != 0) ^ (b != 0)),
    ];

    /// <summary>The output gradient passes unchanged to the data input.</summary>
    public static IEnumerable<(string, string)> Pass(GradientContext c) => [(c.X, c.G())];

    /// <summary>Piecewise constant (boolean) results: no gradient flows back.</summary>
    private static IEnumerable<(string, string)> NoGradient(GradientContext c) => [];

    private static void Constant(ShapeContext c)
    {
        var node = c.Node;
        var attr = node.Attributes.FirstOrDefault() ?? throw c.Fail("Constant has no value attribute");
        OnnxTensor value = attr.Kind switch
        {
            OnnxAttributeKind.Tensor => attr.Tensor ?? throw c.Fail("Constant has an empty tensor"),
            OnnxAttributeKind.Float => OnnxTensor.FromFloats(node.Outputs[0], [], [attr.Float]),
            OnnxAttributeKind.Floats => OnnxTensor.FromFloats(node.Outputs[0], [attr.Floats!.Count], attr.Floats.ToArray()),
            OnnxAttributeKind.Int => OnnxTensor.FromInts(node.Outputs[0], [], [attr.Int]),
            OnnxAttributeKind.Ints => OnnxTensor.FromInts(node.Outputs[0], [attr.Ints!.Count], attr.Ints.ToArray()),
            _ => throw c.Fail($"Constant attribute '{attr.Name}' is not supported"),
        };
        c.Set(0, value.Shape, value);
    }

    private static void ConstantOfShape(ShapeContext c)
    {
        long[] shape = c.ConstInts(0, "the shape input");
        long count = TensorLayout.Count(shape);
        var value = c.Node.Attribute("value")?.Tensor;
        if (value is not null && !value.IsFloatingPoint)
            c.SetInts(shape, Enumerable.Repeat(value.Ints![0], (int)count).ToArray());
        else
            // Held as one number: exporters that strip weights (the ONNX test zoo's "light" models) fill them this way.
            c.Set(0, shape, OnnxTensor.Filled(c.Node.Outputs[0], shape, value?.Floats![0] ?? 0.0));
    }

    private static void Shape(ShapeContext c)
    {
        long[] shape = c.Shape(0);
        // Opset 15 added start/end: a slice of the shape.
        int rank = shape.Length;
        long start = c.Node.GetInt("start", 0), end = c.Node.GetInt("end", rank);
        int from = (int)Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        int to = (int)Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        long[] slice = shape[from..Math.Max(from, to)];
        c.SetInts([slice.Length], slice);
    }

    private static void Range(ShapeContext c)
    {
        var (start, limit, delta) = (c.Const(0), c.Const(1), c.Const(2));
        if (start is null || limit is null || delta is null) throw c.Fail("start, limit and delta must be constant");
        if (start.IsFloatingPoint)
        {
            double s = start.AsDoubles()[0], l = limit.AsDoubles()[0], d = delta.AsDoubles()[0];
            long n = Math.Max(0, (long)Math.Ceiling((l - s) / d));
            c.SetFloats([n], Enumerable.Range(0, (int)n).Select(i => s + i * d).ToArray());
        }
        else
        {
            long s = start.AsInt64s()[0], l = limit.AsInt64s()[0], d = delta.AsInt64s()[0];
            long n = Math.Max(0, (l - s + d + (d > 0 ? -1 : 1)) / d);
            c.SetInts([n], Enumerable.Range(0, (int)n).Select(i => s + i * d).ToArray());
        }
    }

    private static void Where(ShapeContext c)
    {
        long[] shape = TensorLayout.Broadcast(TensorLayout.Broadcast(c.Shape(0), c.Shape(1)) ?? throw c.Fail("inputs do not broadcast"), c.Shape(2))
            ?? throw c.Fail("inputs do not broadcast");
        if (!c.AllConstant)
        {
            c.Set(0, shape);
            return;
        }
        var (condition, a, b) = (c.Const(0)!, c.Const(1)!, c.Const(2)!);
        long[] ic = TensorLayout.BroadcastIndex(condition.Shape, shape), ia = TensorLayout.BroadcastIndex(a.Shape, shape),
            ib = TensorLayout.BroadcastIndex(b.Shape, shape);
        long[] cond = condition.AsInt64s();
        if (!a.IsFloatingPoint && !b.IsFloatingPoint)
            c.SetInts(shape, ic.Select((i, k) => cond[i] != 0 ? a.Ints![ia[k]] : b.Ints![ib[k]]).ToArray());
        else
        {
            double[] va = a.AsDoubles(), vb = b.AsDoubles();
            c.SetFloats(shape, ic.Select((i, k) => cond[i] != 0 ? va[ia[k]] : vb[ib[k]]).ToArray());
        }
    }

    private static IEnumerable<(string, string)> WhereGradient(GradientContext c)
    {
        long[] output = c.ShapeOf(c.Y);
        string condition = c.Node.Inputs[0];
        var result = new List<(string, string)>();
        string zero = c.W.Scalar(0);
        if (c.IsDependent(c.Node.Inputs[1]))
            result.Add((c.Node.Inputs[1], c.ReduceTo(c.W.Add("Where", [condition, c.G(), zero]), output, c.Node.Inputs[1])));
        if (c.IsDependent(c.Node.Inputs[2]))
            result.Add((c.Node.Inputs[2], c.ReduceTo(c.W.Add("Where", [condition, zero, c.G()]), output, c.Node.Inputs[2])));
        return result;
    }
}
