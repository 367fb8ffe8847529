using Analyzer.Onnx.Model;
using Analyzer.Onnx.Shapes;

namespace Analyzer.Onnx.Operators;

/// <summary>Shape rules shared by several operator families: same shape, numpy broadcasting with constant folding,
/// and the spatial output size of convolutions and pools.</summary>
internal static class CommonShapes
{
    /// <summary>Output 0 has input 0's shape (elementwise unary operators); folded through <paramref name="fold"/>
    /// when the input is a floating-point constant.</summary>
    public static ShapeRule Same(Func<double, double>? fold = null) => c =>
    {
        var value = c.Const(0);
        if (fold is not null && value is { IsFloatingPoint: true })
            c.SetFloats(c.Shape(0), value.Floats!.Select(fold).ToArray());
        else
            c.Set(0, c.Shape(0));
    };

    /// <summary>Numpy broadcasting of every input; when all inputs are constant and a fold is given, the value too
    /// (integers stay integers when every input is an integer tensor and <paramref name="ints"/> is given).</summary>
    public static ShapeRule Broadcast(Func<double, double, double>? floats = null, Func<long, long, long>? ints = null,
        bool booleanResult = false) => c =>
    {
        var inputs = c.PresentInputs.ToList();
        long[] shape = c.ShapeOf(inputs[0]);
        foreach (var s in inputs.Skip(1))
            shape = TensorLayout.Broadcast(shape, c.ShapeOf(s))
                ?? throw c.Fail($"shapes {ShapeContext.Format(shape)} and {ShapeContext.Format(c.ShapeOf(s))} do not broadcast");
        if (!c.AllConstant || floats is null || TensorLayout.Count(shape) > 1 << 20)
        {
            c.Set(0, shape);
            return;
        }
        var values = inputs.Select(c.ConstantNamed).ToList();
        var index = values.Select(v => TensorLayout.BroadcastIndex(v.Shape, shape)).ToList();
        long count = TensorLayout.Count(shape);
        if (ints is not null && values.All(v => !v.IsFloatingPoint))
        {
            var result = new long[count];
            for (long e = 0; e < count; e++)
            {
                long acc = values[0].Ints![index[0][e]];
                for (int k = 1; k < values.Count; k++) acc = ints(acc, values[k].Ints![index[k][e]]);
                result[e] = acc;
            }
            c.SetInts(shape, result);
            return;
        }
        var doubles = values.Select(v => v.AsDoubles()).ToList();
        var folded = new double[count];
        for (long e = 0; e < count; e++)
        {
            double acc = doubles[0][index[0][e]];
            for (int k = 1; k < doubles.Count; k++) acc = floats(acc, doubles[k][index[k][e]]);
            folded[e] = acc;
        }
        if (booleanResult)
            c.SetInts(shape, folded.Select(v => (long)v).ToArray());
        else
            c.SetFloats(shape, folded);
    };

    /// <summary>Spatial output sizes of a conv or pool node over an input of spatial sizes <paramref name="input"/>.</summary>
    public static long[] SpatialOutput(ShapeContext c, long[] input, long[] kernel)
    {
        var node = c.Node;
        int dims = input.Length;
        long[] strides = node.GetInts("strides") ?? Enumerable.Repeat(1L, dims).ToArray();
        long[] dilations = node.GetInts("dilations") ?? Enumerable.Repeat(1L, dims).ToArray();
        long[] pads = node.GetInts("pads") ?? new long[2 * dims];
        string autoPad = node.GetString("auto_pad", "NOTSET");
        bool ceil = node.GetInt("ceil_mode", 0) != 0;
        if (kernel.Length != dims || strides.Length != dims || dilations.Length != dims || pads.Length != 2 * dims)
            throw c.Fail($"kernel, strides, dilations or pads do not match the input's {dims} spatial axes");
        var result = new long[dims];
        for (int i = 0; i < dims; i++)
        {
            long effective = (kernel[i] - 1) * dilations[i] + 1;
            result[i] = autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (input[i] + strides[i] - 1) / strides[i],
                "VALID" => (input[i] - effective) / strides[i] + 1,
                _ => ceil
                    ? (long)Math.Ceiling((input[i] + pads[i] + pads[i + dims] - effective) / (double)strides[i]) + 1
                    : (input[i] + pads[i] + pads[i + dims] - effective) / strides[i] + 1,
            };
            if (result[i] <= 0)
                throw c.Fail($"spatial size {input[i]} is too small for kernel {kernel[i]}");
        }
        return result;
    }

    /// <summary>Casts a constant's values to a new element type (floats and integers kept apart).</summary>
    public static OnnxTensor CastConstant(OnnxTensor value, TensorElementType to, string name) =>
        to is TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16
            ? OnnxTensor.FromFloats(name, value.Shape, value.AsDoubles())
            : OnnxTensor.FromInts(name, value.Shape, to == TensorElementType.Bool ? value.AsDoubles().Select(v => v != 0 ? 1L : 0L).ToArray() : value.AsInt64s());
}
