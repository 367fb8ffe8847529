using System.Buffers;
using Analyzer.Core.Networks;
using Analyzer.Kernels.LinearAlgebra;
using Analyzer.Onnx.Operators;

namespace Analyzer.Core.Lesions;

/// <summary>
/// The layers after a dense reader when they are dense layers and rectifiers in one chain ending at the model's output
/// (an MLP's suffix): the lesioned reader outputs go through them as <see cref="SparseInputLayer"/>s, each reading only
/// its inputs' nonzero features, instead of through ONNX Runtime's dense products (docs/design.md, lesion speed). The
/// operators come from the registry: a layer with a constant matrix and bias (<see cref="OperatorDefinition.DenseMatrix"/>,
/// <see cref="OperatorDefinition.DenseBias"/>), a <see cref="OperatorTraits.Rectifier"/>, an addition of a constant
/// vector (folded into the bias before it).
/// </summary>
internal sealed class DenseChain : IOwnSuffix
{
    /// <summary>Examples per block: every lesion's rows of a block go through all layers while they are in the cache (a
    /// multiple of the rank update's six-row tiles).</summary>
    private const int Block = 24;

    private readonly IReadOnlyList<(SparseInputLayer Layer, bool Rectified)> layers;
    private readonly bool rectifiedOutput;

    private DenseChain(IReadOnlyList<(SparseInputLayer, bool)> layers, bool rectifiedOutput) =>
        (this.layers, this.rectifiedOutput) = (layers, rectifiedOutput);

    public int Inputs => layers[0].Layer.Features;

    public int Outputs => layers[^1].Layer.Outputs;

    public long Bytes => layers.Sum(l => l.Layer.Bytes);

    /// <summary>The chain from <paramref name="readerOutput"/> [batch x features] to <paramref name="modelOutput"/>, or null
    /// when anything else lies between them (a branch, another operator, a tensor read twice). With
    /// <paramref name="featureOrder"/>, the chain reads its inputs in that order (input f is the tensor's feature
    /// featureOrder[f]: a flattened map held pixel-major); <paramref name="rectified"/>: they pass through max(·, 0)
    /// first.</summary>
    public static DenseChain? After(ModelNetwork network, string readerOutput, string modelOutput, int[]? featureOrder = null, bool rectified = false)
    {
        var graph = network.Graph;
        var shapes = network.Shapes;
        var steps = new List<(float[] Weights, float[] Bias, int Features, int Outputs, bool Rectified)>();
        string current = readerOutput;
        bool rectify = rectified, lastIsDense = false;
        while (current != modelOutput)
        {
            if (graph.Outputs.Any(o => o.Name == current)) return null;
            var readers = graph.Nodes.Where(n => n.Inputs.Contains(current)).ToList();
            if (readers.Count != 1 || readers[0].Outputs.Count == 0) return null;
            var node = readers[0];
            var op = OperatorRegistry.Find(node.OpType);
            var shape = shapes.ShapeOf(current);
            if (op is null || shape.Length != 2 || shape[1] <= 0) return null;
            int width = (int)shape[1];
            string next = node.Outputs[0];
            if (op.Traits.Rectifier && node.Inputs.Count == 1)
            {
                (rectify, lastIsDense) = (true, false);
            }
            else if (node.Input(0) == current && shapes.ShapeOf(next) is [_, var outputs] && outputs > 0
                     && op.DenseMatrix(node, shapes, width, (int)outputs) is { } w && op.DenseBias(node, shapes, (int)outputs) is { } b)
            {
                if (!w.All(float.IsFinite)) return null;
                if (steps.Count == 0 && featureOrder is not null)
                {
                    if (featureOrder.Length != width) return null;
                    var reordered = new float[w.Length];
                    for (int f = 0; f < width; f++) w.AsSpan(featureOrder[f] * (int)outputs, (int)outputs).CopyTo(reordered.AsSpan(f * (int)outputs));
                    w = reordered;
                }
                steps.Add((w, b, width, (int)outputs, rectify));
                (rectify, lastIsDense) = (false, true);
            }
            else if (op.Traits.Arithmetic == ArithmeticKind.Sum && node.Inputs.Count == 2 && lastIsDense
                     && shapes.ConstantOf(node.Inputs.First(i => i != current)) is { } addend && node.Inputs.Count(i => i == current) == 1
                     && addend.Shape.Take(Math.Max(0, addend.Shape.Length - 1)).All(d => d == 1)
                     && (addend.Shape.Length == 0 ? 1 : addend.Shape[^1]) is var n && (n == width || n == 1)
                     && shapes.ShapeOf(next).SequenceEqual(shape))
            {
                var values = addend.AsDoubles();
                var bias = steps[^1].Bias;
                for (int j = 0; j < width; j++) bias[j] += (float)values[n == 1 ? 0 : j];
            }
            else return null;
            current = next;
        }
        if (steps.Count == 0) return null;
        return new DenseChain(steps.Select(s => (new SparseInputLayer(s.Weights, s.Bias, s.Features, s.Outputs), s.Rectified)).ToList(), rectify);
    }

    /// <summary>Fills <c>rows</c> [lesions x count x inputs] (lesion-major) with the chain's inputs for examples
    /// first .. first + count - 1 under every lesion.</summary>
    public delegate void BlockInputs(int first, int count, Span<float> rows);

    /// <summary>The model's outputs [lesions·examples x outputs], lesion-major (row l·examples + e is example e under
    /// lesion l), block by block of examples: each block's inputs come from <paramref name="blockInputs"/> and go through
    /// every layer while they are in the cache.</summary>
    public float[] Run(int lesions, int examples, BlockInputs blockInputs)
    {
        int widest = layers.Max(l => l.Layer.Outputs);
        var output = new float[(long)lesions * examples * Outputs];
        var pool = ArrayPool<float>.Shared;
        var a = pool.Rent(lesions * Block * Math.Max(widest, Inputs));
        var b = pool.Rent(lesions * Block * widest);
        try
        {
            for (int first = 0; first < examples; first += Block)
            {
                int count = Math.Min(Block, examples - first), rows = lesions * count;
                // Lesion-major with a stride of `count`: the rows of one example sit `count` apart.
                blockInputs(first, count, a.AsSpan(0, rows * Inputs));
                var (from, to) = (a, b);
                foreach (var (layer, rectified) in layers)
                {
                    layer.Apply(from.AsSpan(0, rows * layer.Features), rows, rectified, to.AsSpan(0, rows * layer.Outputs), count);
                    (from, to) = (to, from);
                }
                for (int l = 0; l < lesions; l++)
                {
                    var rowsOut = from.AsSpan(l * count * Outputs, count * Outputs);
                    if (rectifiedOutput)
                        foreach (ref float v in rowsOut)
                            v = v > 0 ? v : 0;
                    rowsOut.CopyTo(output.AsSpan((l * examples + first) * Outputs));
                }
            }
        }
        finally
        {
            pool.Return(a);
            pool.Return(b);
        }
        return output;
    }
}
