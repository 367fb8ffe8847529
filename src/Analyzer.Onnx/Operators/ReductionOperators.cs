using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Reductions over axes (axes as an attribute, or as an input from opset 13 for ReduceSum and 18 for the others).
/// Tracing (<see cref="ChannelFlow.Reduce"/>): a reduction over space passes units on like pooling (MNASNet's and
/// ShuffleNet's mean over [2, 3]); one across units yields a per-example statistic (LayerNorm spelled out in
/// ReduceMean, Sub, Pow, Sqrt, Div). ArgMax and ArgMin give indices, which carry no units.
/// </summary>
internal static class ReductionOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Reduce("ReduceMean", c => Spread(c, c.G(), scale: 1.0 / Count(c)));
        yield return Reduce("ReduceSum", c => Spread(c, c.G()));
        yield return Reduce("ReduceMax", Extremum);
        yield return Reduce("ReduceMin", Extremum);
        yield return Reduce("ReduceL1", c => Spread(c, c.G(), factor: c.W.Unary("Sign", c.X)));
        yield return Reduce("ReduceL2", c => Spread(c, c.W.Binary("Div", c.G(), c.Y), factor: c.X));
        yield return Reduce("ReduceSumSquare", c => Spread(c, c.G(), factor: c.W.Binary("Mul", c.X, c.W.Scalar(2))));
        yield return Reduce("ReduceLogSumExp", c => Spread(c, c.G(), factor: c.W.Unary("Exp", c.W.Binary("Sub", c.X, Kept(c, c.Y)))));
        yield return Op("ReduceProd", ChannelFlow.Reduce, Shapes, null, "ReduceProd has no vector-Jacobian product here yet", axes: ResolvedAxes);
        yield return Op("ArgMax", ChannelFlow.Opaque, ArgShapes, _ => []);
        yield return Op("ArgMin", ChannelFlow.Opaque, ArgShapes, _ => []);
    }

    private static OperatorDefinition Reduce(string name, GradientRule gradient) =>
        Op(name, ChannelFlow.Reduce, Shapes, gradient, axes: ResolvedAxes);

    /// <summary>The reduced axes, non-negative; every axis when none are given (unless noop_with_empty_axes).</summary>
    public static int[] ResolvedAxes(OnnxNode node, InferredShapes shapes) =>
        ResolvedAxes(node, shapes.ShapeOf(node.Inputs[0]).Length, shapes.ConstantOf(node.Input(1)));

    private static int[] ResolvedAxes(OnnxNode node, int rank, OnnxTensor? axesInput)
    {
        long[]? axes = node.Input(1) is not null
            ? axesInput?.AsInt64s() ?? throw new ModelFormatException($"node {node}: the axes are not constant")
            : node.GetInts("axes");
        if (axes is null || axes.Length == 0)
            return node.GetInt("noop_with_empty_axes", 0) != 0 ? [] : Enumerable.Range(0, rank).ToArray();
        return axes.Select(a => TensorLayout.Axis(a, rank)).Distinct().Order().ToArray();
    }

    private static void Shapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        if (c.Has(1) && c.Const(1) is null) throw c.Fail("the axes are computed at run time; Analyzer needs them constant");
        var axes = ResolvedAxes(c.Node, x.Length, c.Const(1));
        bool keep = c.Node.GetInt("keepdims", 1) != 0;
        c.Set(0, keep ? x.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray() : x.Where((_, i) => !axes.Contains(i)).ToArray());
    }

    private static void ArgShapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        int axis = TensorLayout.Axis(c.Node.GetInt("axis", 0), x.Length);
        bool keep = c.Node.GetInt("keepdims", 1) != 0;
        c.Set(0, keep ? x.Select((d, i) => i == axis ? 1 : d).ToArray() : x.Where((_, i) => i != axis).ToArray());
    }

    private static long Count(GradientContext c)
    {
        long[] x = c.ShapeOf(c.X);
        return ResolvedAxes(c.Node, c.Shapes).Aggregate(1L, (a, axis) => a * x[axis]);
    }

    /// <summary>A tensor of the reduced shape with the reduced axes kept (size 1), to broadcast against the input.</summary>
    private static string Kept(GradientContext c, string reduced)
    {
        if (c.Node.GetInt("keepdims", 1) != 0) return reduced;
        long[] axes = ResolvedAxes(c.Node, c.Shapes).Select(a => (long)a).ToArray();
        return axes.Length == 0 ? reduced : c.W.Unsqueeze(reduced, axes);
    }

    /// <summary>dx = expand(g') · factor · scale, where g' is the output gradient with the reduced axes kept.</summary>
    private static IEnumerable<(string, string)> Spread(GradientContext c, string gradient, double scale = 1, string? factor = null)
    {
        var w = c.W;
        string spread = w.Binary("Expand", Kept(c, gradient), w.Add("Shape", [c.X]));
        if (factor is not null) spread = w.Binary("Mul", spread, factor);
        if (scale != 1) spread = w.Binary("Mul", spread, w.Scalar(scale));
        return [(c.X, spread)];
    }

    /// <summary>ReduceMax/ReduceMin: to the elements equal to the result, shared equally between ties.</summary>
    private static IEnumerable<(string, string)> Extremum(GradientContext c)
    {
        var w = c.W;
        string mask = w.CastToFloat(w.Binary("Equal", c.X, Kept(c, c.Y)));
        long[] axes = ResolvedAxes(c.Node, c.Shapes).Select(a => (long)a).ToArray();
        string ties = w.ReduceSum(mask, axes, keepDims: true);
        string share = w.Binary("Div", Kept(c, c.G()), ties);
        return [(c.X, w.Binary("Mul", w.Binary("Expand", share, w.Add("Shape", [c.X])), mask))];
    }
}
