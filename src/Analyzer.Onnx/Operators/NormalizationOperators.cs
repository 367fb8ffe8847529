using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Normalisations (docs/method.md §2). Inference BatchNormalization is a constant per-channel affine map, folded like
/// a scale: into the producing layer before a non-linearity, into the reader after one. LayerNormalization,
/// InstanceNormalization and GroupNormalization divide by statistics of the example itself: the normalisation is a
/// non-linearity (units keep their origins), and the per-unit scale γ after it folds into the reader.
/// </summary>
internal static class NormalizationOperators
{
    /// <summary>BatchNormalization before opset 9 has <c>spatial</c>, removed at 9: per-channel statistics (spatial = 1,
    /// its default and the only kind inference uses) are opset 9's one form.</summary>
    private static string? RemoveSpatial(Protos.GraphProto graph, Protos.NodeProto node)
    {
        var spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
        if (spatial is null) return null;
        if (spatial.I != 1) return $"spatial = {spatial.I} has no opset-9 form";
        node.Attribute.Remove(spatial);
        return null;
    }

    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("BatchNormalization", ChannelFlow.Scale, c =>
        {
            c.Set(0, c.Shape(0));
            for (int i = 1; i < c.Node.Outputs.Count; i++) c.Set(i, [c.Shape(0)[1]]);
        }, BatchNormGradient, scales: BatchNormScales, traits: new() { RaiseToOpset9 = RemoveSpatial });
        yield return Op("LayerNormalization", ChannelFlow.Normalize, LayerNormShapes, c =>
        {
            c.RequireConstant(1, 2);
            return [(c.X, Normalised(c, c.X, LayerNormAxes(c.Node, c.ShapeOf(c.X).Length), c.Node.Inputs[1]))];
        }, scales: (n, s) => new UnitScale(s.ShapeOf(n.Inputs[1]), Constant(n, s, 1)),
            axes: (n, s) => LayerNormAxes(n, s.ShapeOf(n.Inputs[0]).Length));
        yield return Op("InstanceNormalization", ChannelFlow.Normalize, c => c.Set(0, c.Shape(0)), c =>
        {
            c.RequireConstant(1, 2);
            int rank = c.ShapeOf(c.X).Length;
            var gamma = c.W.Add("Reshape", [c.Node.Inputs[1], c.W.Int64s(ChannelShape(c.ShapeOf(c.X)))]);
            return [(c.X, Normalised(c, c.X, Enumerable.Range(2, rank - 2).ToArray(), gamma))];
        }, scales: (n, s) => new UnitScale(ChannelShape(s.ShapeOf(n.Inputs[0])), Constant(n, s, 1)),
            axes: (n, s) => Enumerable.Range(2, s.ShapeOf(n.Inputs[0]).Length - 2).ToArray());
        yield return Op("GroupNormalization", ChannelFlow.Normalize, c => c.Set(0, c.Shape(0)), GroupNormGradient,
            scales: GroupNormScales, axes: (n, s) => Enumerable.Range(1, s.ShapeOf(n.Inputs[0]).Length - 1).ToArray());
    }

    private static double[] Constant(OnnxNode node, InferredShapes shapes, int input) =>
        shapes.ConstantOf(node.Input(input))?.AsDoubles() ?? throw new ModelFormatException($"node {node}: input {input} is not a constant");

    /// <summary>[C, 1, ..., 1] for a tensor of shape [N, C, spatial...].</summary>
    private static long[] ChannelShape(long[] shape) => [shape[1], .. Enumerable.Repeat(1L, Math.Max(0, shape.Length - 2))];

    private static UnitScale BatchNormScales(OnnxNode node, InferredShapes shapes)
    {
        double eps = node.GetFloat("epsilon", 1e-5);
        double[] gamma = Constant(node, shapes, 1), variance = Constant(node, shapes, 4);
        return new UnitScale(ChannelShape(shapes.ShapeOf(node.Inputs[0])), gamma.Select((g, c) => g / Math.Sqrt(variance[c] + eps)).ToArray());
    }

    private static IEnumerable<(string, string)> BatchNormGradient(GradientContext c)
    {
        if (c.Node.GetInt("training_mode", 0) != 0) throw c.Fail("training mode");
        var scale = BatchNormScales(c.Node, c.Shapes);
        return [(c.X, c.W.Binary("Mul", c.G(), c.W.Constant(scale.Shape, scale.Values, "bn_factor")))];
    }

    private static int[] LayerNormAxes(OnnxNode node, int rank)
    {
        int axis = TensorLayout.Axis(node.GetInt("axis", -1), rank);
        return Enumerable.Range(axis, rank - axis).ToArray();
    }

    private static void LayerNormShapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        c.Set(0, x);
        var axes = LayerNormAxes(c.Node, x.Length);
        long[] stats = x.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        c.Set(1, stats);
        c.Set(2, stats);
    }

    /// <summary>
    /// The gradient of y = γ·(x - μ)/σ + β with μ, σ² the mean and variance of x over <paramref name="axes"/>:
    /// dx = (ĝ - mean(ĝ) - x̂·mean(ĝ·x̂)) / σ with ĝ = γ·g and x̂ = (x - μ)/σ (means over the axes).
    /// </summary>
    private static string Normalised(GradientContext c, string x, int[] axes, string? gamma, string? gradient = null)
    {
        var w = c.W;
        double eps = c.Node.GetFloat("epsilon", 1e-5);
        long[] a = axes.Select(v => (long)v).ToArray();
        string centred = w.Binary("Sub", x, w.Reduce("ReduceMean", x, a, keepDims: true));
        string variance = w.Reduce("ReduceMean", w.Binary("Mul", centred, centred), a, keepDims: true);
        string inverse = w.Unary("Reciprocal", w.Unary("Sqrt", w.Binary("Add", variance, w.Scalar(eps))));
        string normalised = w.Binary("Mul", centred, inverse);
        string g = gradient ?? c.G();
        string scaled = gamma is null ? g : w.Binary("Mul", g, gamma);
        string meanScaled = w.Reduce("ReduceMean", scaled, a, keepDims: true);
        string meanProduct = w.Reduce("ReduceMean", w.Binary("Mul", scaled, normalised), a, keepDims: true);
        return w.Binary("Mul", w.Binary("Sub", w.Binary("Sub", scaled, meanScaled), w.Binary("Mul", normalised, meanProduct)), inverse);
    }

    private static UnitScale GroupNormScales(OnnxNode node, InferredShapes shapes)
    {
        long[] x = shapes.ShapeOf(node.Inputs[0]);
        double[] gamma = Constant(node, shapes, 1);
        long groups = node.GetInt("num_groups", 1);
        // Opset 18 gave γ per group, opset 21 per channel.
        double[] perChannel = gamma.Length == x[1] ? gamma
            : Enumerable.Range(0, (int)x[1]).Select(ch => gamma[ch / (int)(x[1] / groups)]).ToArray();
        return new UnitScale(ChannelShape(x), perChannel);
    }

    private static IEnumerable<(string, string)> GroupNormGradient(GradientContext c)
    {
        c.RequireConstant(1, 2);
        var w = c.W;
        long[] x = c.ShapeOf(c.X);
        long groups = c.Node.GetInt("num_groups", 1);
        var scale = GroupNormScales(c.Node, c.Shapes);
        // Normalised over [C/G, spatial...] per group: work on the view [N, G, C/G · spatial].
        string grouped = w.Add("Reshape", [c.X, w.Int64s(0, groups, -1)]);
        string g = w.Add("Reshape", [w.Binary("Mul", c.G(), w.Constant(scale.Shape, scale.Values, "gn_gamma")), w.Int64s(0, groups, -1)]);
        string dx = Normalised(c, grouped, [2], null, g);
        return [(c.X, w.ReshapeLike(dx, c.X))];
    }
}
