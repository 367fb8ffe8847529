using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;

namespace Analyzer.Onnx.Operators;

/// <summary>Padding and transposed convolutions shared by the gradients of Conv and the pools.</summary>
internal static class ConvGeometry
{
    /// <summary>Explicit begin and end pads of a conv or pool node (resolving auto_pad from the shapes).</summary>
    public static (long[] Begin, long[] End) Pads(OnnxNode node, long[] input, long[] output, long[] kernel, long[] strides, long[] dilations)
    {
        int dims = kernel.Length;
        string autoPad = node.GetString("auto_pad", "NOTSET");
        var begin = new long[dims];
        var end = new long[dims];
        long[] pads = node.GetInts("pads") ?? new long[2 * dims];
        for (int i = 0; i < dims; i++)
        {
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                long total = Math.Max(0, (output[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - input[i]);
                begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                end[i] = total - begin[i];
            }
            else if (autoPad != "VALID")
            {
                begin[i] = pads[i];
                end[i] = pads[i + dims];
            }
        }
        return (begin, end);
    }

    public static long[] Strides(OnnxNode node, int dims) => node.GetInts("strides") ?? Enumerable.Repeat(1L, dims).ToArray();
    public static long[] Dilations(OnnxNode node, int dims) => node.GetInts("dilations") ?? Enumerable.Repeat(1L, dims).ToArray();

    /// <summary>
    /// The transposed convolution that maps a gradient at the output of a conv-like node back to its input:
    /// the same kernel, strides, pads and dilations, with output padding restoring the exact input size.
    /// </summary>
    public static string TransposedConv(GradientContext c, string gy, string weight, long[] kernel, long group)
    {
        var node = c.Node;
        long[] input = c.ShapeOf(node.Inputs[0])[2..], output = c.ShapeOf(node.Outputs[0])[2..];
        int dims = kernel.Length;
        long[] strides = Strides(node, dims), dilations = Dilations(node, dims);
        var (begin, end) = Pads(node, input, output, kernel, strides, dilations);
        var outputPadding = new long[dims];
        for (int i = 0; i < dims; i++)
        {
            long produced = (output[i] - 1) * strides[i] - begin[i] - end[i] + (kernel[i] - 1) * dilations[i] + 1;
            outputPadding[i] = input[i] - produced;
            if (outputPadding[i] < 0) throw c.Fail("the output is larger than its input allows");
        }
        return c.W.Add("ConvTranspose", [gy, weight], null,
            GraphBuilder.Ints("strides", strides), GraphBuilder.Ints("dilations", dilations),
            GraphBuilder.Ints("pads", begin.Concat(end)), GraphBuilder.Ints("output_padding", outputPadding),
            GraphBuilder.Ints("kernel_shape", kernel), GraphBuilder.Int("group", group));
    }
}
