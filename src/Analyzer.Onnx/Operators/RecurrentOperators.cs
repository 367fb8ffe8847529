using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Recurrent layers (docs/method.md §1-2): LSTM, GRU and RNN. Each is a layer whose units are its hidden units, H per
/// direction: it reads its input features at every step through W [directions, gates·H, I] and its own units of the
/// previous step through R [directions, gates·H, H]. The edge from input feature i to hidden unit j is Σ over the gates of
/// |W[d, g·H + j, i]| (the gates are one unit's parts, as a kernel's positions are one channel's); the recurrent edge
/// from unit j' to unit j of the same direction is Σ over the gates of |R[d, g·H + j, j']|. Its outputs Y, Y_h (and
/// an LSTM's Y_c) hold the units along their last axis, directions before it. Not differentiated: the gradient would
/// unroll the sequence.
/// </summary>
internal static class RecurrentOperators
{
    private const string NoGradient = "recurrent layers are not differentiated (their gradient would unroll the sequence)";

    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Recurrent("LSTM", 4);
        yield return Recurrent("GRU", 3);
        yield return Recurrent("RNN", 1);
    }

    private static OperatorDefinition Recurrent(string name, int gates) =>
        Op(name, ChannelFlow.Layer, c => Shapes(c, gates), null, NoGradient, weights: (node, shapes, featureUnits, units) => Weights(node, shapes, featureUnits, units, gates),
            traits: new()
            {
                RecurrentWeights = (node, shapes) => RecurrentEdges(node, shapes, gates),
                OutputUnits = OutputUnits,
            });

    private static int Directions(OnnxNode node) => node.GetString("direction", "forward") == "bidirectional" ? 2 : 1;

    private static bool BatchFirst(OnnxNode node) => node.GetInt("layout", 0) != 0;

    private static void Shapes(ShapeContext c, int gates)
    {
        long[] x = c.Shape(0), w = c.Shape(1);
        int dirs = Directions(c.Node);
        if (x.Length != 3 || w.Length != 3)
            throw c.Fail($"input of shape {ShapeContext.Format(x)} and W of shape {ShapeContext.Format(w)}; expected [T, N, I] (or [N, T, I]) and [directions, gates·H, I]");
        long hidden = c.Node.GetInt("hidden_size", w[1] / gates);
        if (w[0] != dirs || w[1] != gates * hidden || w[2] != x[2])
            throw c.Fail($"W of shape {ShapeContext.Format(w)} does not fit {dirs} direction(s) of {gates} gates x {hidden} units over {x[2]} features");
        bool batchFirst = BatchFirst(c.Node);
        long steps = batchFirst ? x[1] : x[0], batch = batchFirst ? x[0] : x[1];
        c.Set(0, batchFirst ? [batch, steps, dirs, hidden] : [steps, dirs, batch, hidden]);
        long[] state = batchFirst ? [batch, dirs, hidden] : [dirs, batch, hidden];
        c.Set(1, state);
        c.Set(2, state);
    }

    /// <summary>W summed in absolute value over the gates: [directions·H x input units].</summary>
    private static LayerWeights Weights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units, int gates)
    {
        var w = shapes.ConstantOf(node.Input(1)) ?? throw new InvalidOperationException("W is not constant");
        int dirs = (int)w.Shape[0], hidden = (int)(w.Shape[1] / gates), features = (int)w.Shape[2];
        var values = new double[(long)dirs * hidden * units];
        var row = new float[features];
        for (int d = 0; d < dirs; d++)
            for (int g = 0; g < gates; g++)
                for (int j = 0; j < hidden; j++)
                {
                    w.ReadSingles(((long)d * gates * hidden + g * hidden + j) * features, row);
                    long output = (long)d * hidden + j;
                    for (int f = 0; f < features; f++) values[output * units + featureUnits[f]] += Math.Abs(row[f]);
                }
        return new LayerWeights(dirs * hidden, 2, values, Signed: false, Convolution: false);
    }

    /// <summary>R summed in absolute value over the gates: [directions·H x directions·H], unit j (row) from unit j'
    /// (column) of the same direction, zero across directions.</summary>
    private static double[] RecurrentEdges(OnnxNode node, InferredShapes shapes, int gates)
    {
        var r = shapes.ConstantOf(node.Input(2)) ?? throw new InvalidOperationException("R is not constant");
        int dirs = (int)r.Shape[0], hidden = (int)r.Shape[2], outputs = dirs * hidden;
        var values = new double[(long)outputs * outputs];
        var row = new float[hidden];
        for (int d = 0; d < dirs; d++)
            for (int g = 0; g < gates; g++)
                for (int j = 0; j < hidden; j++)
                {
                    r.ReadSingles(((long)d * gates * hidden + g * hidden + j) * hidden, row);
                    long target = (long)(d * hidden + j) * outputs + d * hidden;
                    for (int k = 0; k < hidden; k++) values[target + k] += Math.Abs(row[k]);
                }
        return values;
    }

    /// <summary>For each element of output <paramref name="output"/> (Y, Y_h, Y_c) of one example, its unit
    /// (direction·H + hidden index): the last axis is the hidden index and the direction axis comes before it.</summary>
    private static int[]? OutputUnits(OnnxNode node, int output, long[] shape)
    {
        int hidden = (int)shape[^1];
        // Y: [T, dirs, N, H] or [N, T, dirs, H]; Y_h, Y_c: [dirs, N, H] or [N, dirs, H].
        int directionAxis = output == 0 ? (BatchFirst(node) ? 2 : 1) : (BatchFirst(node) ? 1 : 0);
        var map = new int[TensorLayout.Count(shape)];
        long inner = TensorLayout.Count(shape.AsSpan(directionAxis + 1));
        for (int e = 0; e < map.Length; e++)
            map[e] = (int)(e / inner % shape[directionAxis]) * hidden + e % hidden;
        return map;
    }
}
