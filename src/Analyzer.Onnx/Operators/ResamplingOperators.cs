using Analyzer.Onnx.Building;
using Analyzer.Onnx.Model;
using static Analyzer.Onnx.Operators.OperatorRegistry;

namespace Analyzer.Onnx.Operators;

/// <summary>
/// Resize and its predecessor Upsample (segmentation decoders, feature pyramids, detectors): every channel is resampled
/// in space on its own, so units pass through unchanged (docs/method.md §2). Resampling is separable and linear in the
/// data: along each resized axis, out[o] = Σ_i M[o, i] · in[i] with M from the mode (nearest, linear, cubic) and the
/// coordinate transformation, and the gradient applies Mᵀ along each axis as a MatMul by a constant.
/// </summary>
internal static class ResamplingOperators
{
    public static IEnumerable<OperatorDefinition> Definitions()
    {
        yield return Op("Resize", ChannelFlow.Transparent, Shapes, Gradient, traits: new() { SingleDataInput = true });
        yield return Op("Upsample", ChannelFlow.Transparent, Shapes, Gradient, traits: new() { SingleDataInput = true, RaiseToOpset9 = ScalesAsInput });
    }

    /// <summary>Upsample-7 keeps its scales in an attribute; from opset 9 they are input 1.</summary>
    private static string? ScalesAsInput(Protos.GraphProto graph, Protos.NodeProto node)
    {
        var scales = node.Attribute.FirstOrDefault(a => a.Name == "scales");
        if (scales is null) return null;
        var tensor = new Protos.TensorProto { Name = $"{node.Name}_scales_{graph.Initializer.Count}", DataType = 1 };
        tensor.Dims.Add(scales.Floats.Count);
        tensor.FloatData.AddRange(scales.Floats);
        graph.Initializer.Add(tensor);
        node.Input.Add(tensor.Name);
        node.Attribute.Remove(scales);
        return null;
    }

    /// <summary>How a Resize or Upsample node samples: its output sizes, per-axis scales, and the modes that decide
    /// the sampling matrix of each axis.</summary>
    private sealed record Sampling(long[] Output, double[] Scales, string Mode, string Coordinates, string Nearest,
        double CubicA, bool ExcludeOutside, bool Antialias);

    private static Sampling Read(OnnxNode node, long[] input, Func<int, OnnxTensor?> constant, Func<string, Exception> fail)
    {
        int rank = input.Length;
        // Upsample and Resize-10 take (X, scales) and sample asymmetrically; Resize-11 and later (X, roi, scales, sizes).
        bool legacy = node.OpType == "Upsample" || node.Inputs.Count == 2;
        int scalesInput = legacy ? 1 : 2;
        double[]? scales = null;
        long[]? sizes = null;
        if (node.OpType == "Upsample" && node.GetFloats("scales") is { } attribute)
            scales = attribute;
        else if (node.Input(scalesInput) is not null)
        {
            var value = constant(scalesInput) ?? throw fail("its scales are computed at run time; Analyzer needs them constant");
            if (value.ElementCount > 0) scales = value.AsDoubles();
        }
        if (!legacy && node.Input(3) is not null)
        {
            var value = constant(3) ?? throw fail("its output sizes are computed at run time; Analyzer needs them constant");
            if (value.ElementCount > 0) sizes = value.AsInt64s();
        }
        if (scales is null && sizes is null) throw fail("it has neither scales nor sizes");
        long[] axes = (node.GetInts("axes") ?? Enumerable.Range(0, rank).Select(a => (long)a).ToArray())
            .Select(a => a < 0 ? a + rank : a).ToArray();
        if ((scales?.Length ?? sizes!.Length) != axes.Length)
            throw fail($"{(scales is null ? "sizes" : "scales")} has {scales?.Length ?? sizes!.Length} values for {axes.Length} axes");
        if (node.GetString("keep_aspect_ratio_policy", "stretch") != "stretch" && sizes is not null)
            throw fail("keep_aspect_ratio_policy other than 'stretch' is not supported");
        var output = (long[])input.Clone();
        var perAxis = Enumerable.Repeat(1.0, rank).ToArray();
        for (int k = 0; k < axes.Length; k++)
        {
            int a = (int)axes[k];
            if (sizes is not null)
            {
                output[a] = sizes[k];
                perAxis[a] = (float)sizes[k] / (float)input[a];
            }
            else
            {
                perAxis[a] = (float)scales![k];
                output[a] = (long)Math.Floor((float)(input[a] * (float)scales[k]));
            }
            if (output[a] <= 0) throw fail($"axis {a} would have {output[a]} elements");
        }
        string mode = node.GetString("mode", "nearest");
        if (mode == "bilinear") mode = "linear";
        return new Sampling(output, perAxis, mode,
            legacy ? "asymmetric" : node.GetString("coordinate_transformation_mode", "half_pixel"),
            legacy ? "simple" : node.GetString("nearest_mode", "round_prefer_floor"),
            node.GetFloat("cubic_coeff_a", -0.75), node.GetInt("exclude_outside", 0) != 0, node.GetInt("antialias", 0) != 0);
    }

    private static void Shapes(ShapeContext c)
    {
        long[] x = c.Shape(0);
        var sampling = Read(c.Node, x, c.Const, problem => c.Fail(problem));
        // Units are channels: batch and channel axes must keep their sizes (a [N, C, ...] map resampled in space).
        if (x.Length >= 3 && (sampling.Output[0] != x[0] || sampling.Output[1] != x[1]))
            throw c.Fail($"it resizes {ShapeContext.Format(x)} to {ShapeContext.Format(sampling.Output)}; only spatial axes (after batch and channels) may change");
        c.Set(0, sampling.Output);
    }

    private static IEnumerable<(string, string)> Gradient(GradientContext c)
    {
        long[] x = c.ShapeOf(c.X);
        var sampling = Read(c.Node, x, c.ConstantTensor, problem => c.Fail(problem));
        if (sampling.Antialias) throw c.Fail("antialias = 1 is not differentiated");
        if (sampling.Coordinates == "tf_crop_and_resize") throw c.Fail("tf_crop_and_resize is not differentiated");
        string gradient = c.G();
        for (int axis = 0; axis < x.Length; axis++)
        {
            // An axis kept at scale 1 is not resampled at all (runtimes skip it even where a half-pixel shift would round
            // to the next position).
            if (sampling.Scales[axis] == 1 && sampling.Output[axis] == x[axis]) continue;
            var matrix = AxisMatrix(x[axis], sampling.Output[axis], sampling.Scales[axis], sampling, problem => c.Fail(problem));
            if (IsIdentity(matrix, x[axis], sampling.Output[axis])) continue;
            gradient = AlongAxis(c.W, gradient, axis, x.Length, [sampling.Output[axis], x[axis]], matrix);
        }
        return [(c.X, gradient)];
    }

    /// <summary>Contracts <paramref name="gradient"/>'s axis with M [out, in]: the axis is swapped to the end, multiplied
    /// by M and swapped back.</summary>
    private static string AlongAxis(GraphBuilder w, string gradient, int axis, int rank, long[] shape, float[] matrix)
    {
        string m = w.Constant(shape, () => matrix, "resample_matrix");
        if (axis == rank - 1) return w.Add("MatMul", [gradient, m]);
        var perm = Enumerable.Range(0, rank).Select(a => (long)a).ToArray();
        (perm[axis], perm[rank - 1]) = (perm[rank - 1], perm[axis]);
        string moved = w.Add("Transpose", [gradient], null, GraphBuilder.Ints("perm", perm));
        return w.Add("Transpose", [w.Add("MatMul", [moved, m])], null, GraphBuilder.Ints("perm", perm));
    }

    private static bool IsIdentity(float[] matrix, long input, long output)
    {
        if (input != output) return false;
        for (long o = 0; o < output; o++)
            for (long i = 0; i < input; i++)
                if (matrix[o * input + i] != (o == i ? 1f : 0f)) return false;
        return true;
    }

    /// <summary>
    /// The sampling matrix M [out, in] of one axis: each output position's coordinate in the input (ONNX's coordinate
    /// transformations), then the input positions it reads and their weights (nearest: one position; linear: the two
    /// neighbours of the coordinate clamped to the axis; cubic: four, with Keys' kernel of parameter A).
    /// </summary>
    private static float[] AxisMatrix(long input, long output, double scale, Sampling s, Func<string, Exception> fail)
    {
        var m = new float[output * input];
        for (long o = 0; o < output; o++)
        {
            // In float32, as runtimes compute it: a coordinate exactly halfway between two positions must round alike.
            float so = o, sc = (float)scale, length = input, resized = output;
            double x = s.Coordinates switch
            {
                "half_pixel" => (so + 0.5f) / sc - 0.5f,
                "pytorch_half_pixel" => output > 1 ? (so + 0.5f) / sc - 0.5f : 0f,
                "align_corners" => output == 1 ? 0f : so * (length - 1) / (resized - 1),
                "asymmetric" => so / sc,
                "tf_half_pixel_for_nn" => (so + 0.5f) / sc,
                "half_pixel_symmetric" => length / 2 * (1 - resized / (sc * length)) + (so + 0.5f) / sc - 0.5f,
                _ => throw fail($"coordinate_transformation_mode '{s.Coordinates}' is not supported"),
            };
            switch (s.Mode)
            {
                case "nearest":
                    m[o * input + Math.Clamp(Nearest(x, s.Nearest, scale < 1, fail), 0, input - 1)] = 1;
                    break;
                case "linear":
                {
                    x = Math.Clamp(x, 0, input - 1);
                    long lo = Math.Min((long)x, input - 1), hi = Math.Min(lo + 1, input - 1);
                    double toHi = x - lo;
                    m[o * input + lo] += (float)(1 - toHi);
                    m[o * input + hi] += (float)toHi;
                    break;
                }
                case "cubic":
                {
                    long floor = (long)Math.Floor(x);
                    double t = x - floor, a = s.CubicA;
                    double[] weights =
                    [
                        ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
                        ((a + 2) * t - (a + 3)) * t * t + 1,
                        ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
                        ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
                    ];
                    double inside = Enumerable.Range(0, 4).Where(k => floor - 1 + k >= 0 && floor - 1 + k < input).Sum(k => weights[k]);
                    for (int k = 0; k < 4; k++)
                    {
                        long p = floor - 1 + k;
                        if (s.ExcludeOutside)
                        {
                            if (p >= 0 && p < input) m[o * input + p] += (float)(weights[k] / inside);
                        }
                        else
                            m[o * input + Math.Clamp(p, 0, input - 1)] += (float)weights[k];
                    }
                    break;
                }
                default:
                    throw fail($"mode '{s.Mode}' is not supported");
            }
        }
        return m;
    }

    /// <summary>The input position nearest sampling reads at coordinate <paramref name="x"/>; "simple" is Upsample's and
    /// Resize-10's rule (round down when enlarging, up when shrinking).</summary>
    private static long Nearest(double x, string mode, bool shrinking, Func<string, Exception> fail) => mode switch
    {
        "round_prefer_floor" => x == Math.Floor(x) + 0.5 ? (long)Math.Floor(x) : (long)Math.Round(x, MidpointRounding.AwayFromZero),
        "round_prefer_ceil" => x == Math.Floor(x) + 0.5 ? (long)Math.Ceiling(x) : (long)Math.Round(x, MidpointRounding.AwayFromZero),
        "floor" => (long)Math.Floor(x),
        "ceil" => (long)Math.Ceiling(x),
        "simple" => shrinking ? (long)Math.Ceiling(x) : (long)Math.Floor(x),
        _ => throw fail($"nearest_mode '{mode}' is not supported"),
    };
}
