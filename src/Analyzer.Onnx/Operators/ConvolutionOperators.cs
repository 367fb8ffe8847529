using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Conv: a layer (docs/method.md §1-2) whose input channels are a node set's units; its weight between output channel j
/// and input channel i is the entrywise L1 norm of the kernel slice K[j, i - g·C/G, ...] within i's group g (grouped
/// and depthwise convs connect only within a group). Its gradient is a convolution with the flipped kernel (stride 1)
/// or a transposed convolution. ConvTranspose (a U-Net's or detector's upsampling layer) is a layer too: its weight
/// [C_in, C_out/group, kernel...] joins input channel i to output channel j by the L1 norm of K[i, j - g·C_out/G, ...],
/// and its gradient is the forward convolution with the same kernel and geometry.
/// </summary>
internal static class ConvolutionOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("Conv", ChannelFlow.Layer, Shapes, Gradient, weights: Weights,
            traits: new() { Convolution = true, ConvKernel = PlainKernel });
        yield return Op("ConvTranspose", ChannelFlow.Layer, TransposeShapes, TransposeGradient, weights: TransposeWeights,
            traits: new() { Convolution = true });
    }

    /// <summary>The kernel and geometry of a plain (group 1, 2-D) conv with a constant kernel; null for any other.</summary>
    private static ConvKernel? PlainKernel(OnnxNode node, InferredShapes shapes)
    {
        if (node.GetInt("group", 1) != 1 || shapes.ConstantOf(node.Input(1)) is not { } weight || weight.Shape.Length != 4) return null;
        var attributes = new List<(string, long[], string?)>();
        foreach (string name in new[] { "pads", "strides", "dilations", "kernel_shape" })
            if (node.GetInts(name) is { } ints) attributes.Add((name, ints, null));
        string autoPad = node.GetString("auto_pad", "NOTSET");
        if (autoPad != "NOTSET") attributes.Add(("auto_pad", [], autoPad));
        return new ConvKernel(weight.AsDoubles().Select(v => (float)v).ToArray(), weight.Shape, attributes);
    }

    private static void Shapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] w = c.Shape(1);
        if (x.Length < 3 || w.Length != x.Length)
            throw c.Fail($"input of shape {ShapeContext.Format(x)} and weight of shape {ShapeContext.Format(w)} do not fit; expected [N, C, spatial...] and [M, C/group, kernel...]");
        long group = c.Node.GetInt("group", 1);
        if (group < 1 || x[1] != w[1] * group || w[0] % group != 0)
            throw c.Fail($"input has {x[1]} channels but the weight expects {w[1] * group} ({w[1]} per group x {group} groups)");
        c.Set(0, [x[0], w[0], .. CommonShapes.SpatialOutput(c, x[2..], w[2..])]);
    }

    private static LayerWeights Weights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units)
    {
        var weight = shapes.ConstantOf(node.Input(1)) ?? throw new InvalidOperationException("conv weight is not constant");
        int outputs = (int)weight.Shape[0], groupIn = (int)weight.Shape[1];
        int kernel = (int)TensorLayout.Count(weight.Shape.AsSpan(2));
        int perGroupOut = outputs / (int)node.GetInt("group", 1);
        var values = new double[(long)outputs * units];
        var row = new float[groupIn * kernel];
        for (int j = 0; j < outputs; j++)
        {
            weight.ReadSingles((long)j * row.Length, row);
            int g = j / perGroupOut;
            for (int ci = 0; ci < groupIn; ci++)
            {
                double sum = 0;
                for (int q = 0; q < kernel; q++) sum += Math.Abs(row[ci * kernel + q]);
                values[(long)j * units + featureUnits[g * groupIn + ci]] += sum;
            }
        }
        return new LayerWeights(outputs, 1, values, Signed: false, Convolution: true);
    }

    private static IEnumerable<(string, string)> Gradient(GradientContext c)
    {
        c.RequireConstant(1, 2);
        long[] weight = c.ShapeOf(c.Node.Inputs[1]);
        long group = c.Node.GetInt("group", 1);
        // A gradient with very few channels (an image's) runs better as a transposed convolution.
        bool fewChannels = weight[1] * group < 4;
        string gradient = (fewChannels ? null : FlippedConv(c, group)) ?? ConvGeometry.TransposedConv(c, c.G(), c.Node.Inputs[1], weight[2..], group);
        return [(c.X, gradient)];
    }

    /// <summary>
    /// For a stride-1 conv, the input gradient is itself a convolution: dY convolved with the kernel flipped in space
    /// and with input and output channels swapped (per group), padded by dilation·(k - 1) - pad on each side. ONNX
    /// Runtime's forward Conv is much faster than its ConvTranspose, so this form is preferred where it applies;
    /// null where it does not (strides, or pads beyond the kernel's reach).
    /// </summary>
    private static string? FlippedConv(GradientContext c, long group)
    {
        var node = c.Node;
        if (c.ConstantTensor(1) is not { } weight || weight.Shape.Length != 4) return null;
        long[] input = c.ShapeOf(node.Inputs[0])[2..], output = c.ShapeOf(node.Outputs[0])[2..];
        long[] kernel = weight.Shape[2..];
        long[] strides = ConvGeometry.Strides(node, 2), dilations = ConvGeometry.Dilations(node, 2);
        if (strides.Any(v => v != 1)) return null;
        var (begin, end) = ConvGeometry.Pads(node, input, output, kernel, strides, dilations);
        var pads = new long[4];
        for (int i = 0; i < 2; i++)
        {
            pads[i] = dilations[i] * (kernel[i] - 1) - begin[i];
            pads[i + 2] = dilations[i] * (kernel[i] - 1) - end[i];
            if (pads[i] < 0 || pads[i + 2] < 0) return null;
        }
        long outChannels = weight.Shape[0], inPerGroup = weight.Shape[1], outPerGroup = outChannels / group;
        long kh = kernel[0], kw = kernel[1];
        string flippedWeight = c.W.Constant([group * inPerGroup, outPerGroup, kh, kw], () =>
        {
            var source = new float[weight.ElementCount];
            weight.ReadSingles(0, source);
            var flipped = new float[source.Length];
            // W'[g·inPerGroup + ci, co, a, b] = W[g·outPerGroup + co, ci, kh-1-a, kw-1-b]
            for (long g = 0; g < group; g++)
                for (long co = 0; co < outPerGroup; co++)
                    for (long ci = 0; ci < inPerGroup; ci++)
                        for (long a = 0; a < kh; a++)
                            for (long b = 0; b < kw; b++)
                                flipped[(((g * inPerGroup + ci) * outPerGroup + co) * kh + a) * kw + b] =
                                    source[(((g * outPerGroup + co) * inPerGroup + ci) * kh + (kh - 1 - a)) * kw + (kw - 1 - b)];
            return flipped;
        }, "conv_flipped_weight");
        return c.W.Add("Conv", [c.G(), flippedWeight], null, GraphBuilder.Ints("dilations", dilations), GraphBuilder.Ints("pads", pads),
            GraphBuilder.Ints("kernel_shape", kernel), GraphBuilder.Int("group", group));
    }

    /// <summary>The explicit begin and end pads of a ConvTranspose over spatial input sizes <paramref name="input"/>
    /// (ONNX's formula: output = stride·(input - 1) + output_padding + dilation·(kernel - 1) + 1 - pads), and its
    /// output sizes. Null pads where output_shape or auto_pad decides them (runtimes disagree on which side gets the
    /// odd pixel, so the gradient is not built there).</summary>
    private static (long[] Output, long[]? Begin, long[]? End) TransposeGeometry(OnnxNode node, long[] input, long[] kernel)
    {
        int dims = input.Length;
        long[] strides = ConvGeometry.Strides(node, dims), dilations = ConvGeometry.Dilations(node, dims);
        long[] outputPadding = node.GetInts("output_padding") ?? new long[dims];
        long[] pads = node.GetInts("pads") ?? new long[2 * dims];
        string autoPad = node.GetString("auto_pad", "NOTSET");
        if (node.GetInts("output_shape") is { } fixedShape)
            return (fixedShape.Length == dims ? fixedShape : fixedShape[^dims..], null, null);
        if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            return (input.Zip(strides, (i, s) => i * s).ToArray(), null, null);
        if (autoPad == "VALID") pads = new long[2 * dims];
        var output = new long[dims];
        for (int i = 0; i < dims; i++)
            output[i] = strides[i] * (input[i] - 1) + outputPadding[i] + (kernel[i] - 1) * dilations[i] + 1 - pads[i] - pads[i + dims];
        return (output, pads[..dims], pads[dims..]);
    }

    private static void TransposeShapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        long[] w = c.Shape(1);
        if (x.Length < 3 || w.Length != x.Length)
            throw c.Fail($"input of shape {ShapeContext.Format(x)} and weight of shape {ShapeContext.Format(w)} do not fit; expected [N, C, spatial...] and [C, M/group, kernel...]");
        long group = c.Node.GetInt("group", 1);
        if (x[1] != w[0] || group < 1 || w[0] % group != 0)
            throw c.Fail($"input has {x[1]} channels but the weight expects {w[0]} (in {group} groups)");
        long[] kernel = c.Node.GetInts("kernel_shape") ?? w[2..];
        var (output, _, _) = TransposeGeometry(c.Node, x[2..], kernel);
        if (output.Any(v => v <= 0)) throw c.Fail($"output sizes {ShapeContext.Format(output)} are not positive");
        c.Set(0, [x[0], w[1] * group, .. output]);
    }

    private static LayerWeights TransposeWeights(OnnxNode node, InferredShapes shapes, int[] featureUnits, int units)
    {
        var weight = shapes.ConstantOf(node.Input(1)) ?? throw new InvalidOperationException("conv weight is not constant");
        int inputs = (int)weight.Shape[0], perGroupOut = (int)weight.Shape[1];
        int group = (int)node.GetInt("group", 1), perGroupIn = inputs / group, outputs = perGroupOut * group;
        int kernel = (int)TensorLayout.Count(weight.Shape.AsSpan(2));
        var values = new double[(long)outputs * units];
        var slice = new float[perGroupOut * kernel];
        for (int i = 0; i < inputs; i++)
        {
            weight.ReadSingles((long)i * slice.Length, slice);
            int g = i / perGroupIn;
            for (int jo = 0; jo < perGroupOut; jo++)
            {
                double sum = 0;
                for (int q = 0; q < kernel; q++) sum += Math.Abs(slice[jo * kernel + q]);
                values[(long)(g * perGroupOut + jo) * units + featureUnits[i]] += sum;
            }
        }
        return new LayerWeights(outputs, 1, values, Signed: false, Convolution: true);
    }

    /// <summary>The input gradient of a transposed convolution is the convolution it transposes: the same kernel,
    /// strides, dilations, pads and groups applied to the output gradient.</summary>
    private static IEnumerable<(string, string)> TransposeGradient(GradientContext c)
    {
        c.RequireConstant(1, 2);
        long[] x = c.ShapeOf(c.X), w = c.ShapeOf(c.Node.Inputs[1]);
        long[] kernel = c.Node.GetInts("kernel_shape") ?? w[2..];
        var (_, begin, end) = TransposeGeometry(c.Node, x[2..], kernel);
        if (begin is null || end is null)
            throw c.Fail("its padding comes from output_shape or auto_pad, which runtimes place differently; export it with explicit pads");
        int dims = kernel.Length;
        return [(c.X, c.W.Add("Conv", [c.G(), c.Node.Inputs[1]], null,
            GraphBuilder.Ints("strides", ConvGeometry.Strides(c.Node, dims)), GraphBuilder.Ints("dilations", ConvGeometry.Dilations(c.Node, dims)),
            GraphBuilder.Ints("pads", begin.Concat(end)), GraphBuilder.Ints("kernel_shape", kernel), GraphBuilder.Int("group", c.Node.GetInt("group", 1))))];
    }
}
