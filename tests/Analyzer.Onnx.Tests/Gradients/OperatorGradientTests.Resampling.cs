using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Gradients;

/// <summary>
/// The upsampling operators of segmentation and detection networks (Resize in every mode the exporters write, Upsample,
/// ConvTranspose), checked against finite differences of ONNX Runtime's own float32 kernels (they have no float64 ones;
/// the operators are linear in their data, so a step of 1e-2 costs only the sigmoid's curvature). The target is a
/// sigmoid of the resampled map, positive everywhere: the objective's |·| has no kink within a step.
/// </summary>
public partial class OperatorGradientTests
{
    public static TheoryData<string, string, string, double[]?, long[]?, double, long> ResizeCases() => new()
    {
        // PyTorch's nn.Upsample(scale_factor=2) and F.interpolate(mode="nearest") at opset 13.
        { "nearest", "asymmetric", "floor", [1, 1, 2, 2], null, -0.75, 0 },
        // Halfway coordinates with both tie rules, and a non-integer enlargement by sizes.
        { "nearest", "half_pixel", "round_prefer_floor", null, [8, 6], -0.75, 0 },
        { "nearest", "tf_half_pixel_for_nn", "round_prefer_ceil", [1, 1, 1.5, 1.5], null, -0.75, 0 },
        { "nearest", "half_pixel", "ceil", [1, 1, 0.6, 0.5], null, -0.75, 0 },
        // Bilinear, as PyTorch writes it with align_corners False (old and new exporters) and True; a shrink.
        { "linear", "pytorch_half_pixel", "round_prefer_floor", [1, 1, 2, 2], null, -0.75, 0 },
        { "linear", "half_pixel", "round_prefer_floor", null, [3, 7], -0.75, 0 },
        { "linear", "align_corners", "round_prefer_floor", null, [9, 5], -0.75, 0 },
        { "linear", "asymmetric", "round_prefer_floor", [1, 1, 0.5, 0.75], null, -0.75, 0 },
        // Bicubic: ONNX's default kernel, and PyTorch's (A = -0.75 with align_corners), and with outside points excluded.
        { "cubic", "half_pixel", "round_prefer_floor", [1, 1, 2, 1.5], null, -0.75, 0 },
        { "cubic", "align_corners", "round_prefer_floor", null, [7, 9], -0.75, 0 },
        { "cubic", "half_pixel", "round_prefer_floor", null, [9, 3], -0.5, 1 },
    };

    [Theory]
    [MemberData(nameof(ResizeCases))]
    public void Resize(string mode, string coordinates, string nearest, double[]? scales, long[]? sizes, double cubicA, long excludeOutside)
    {
        // Sizes at opset 18 name their axes (a constant batch size would fix the batch).
        var m = new TinyModel(sizes is null ? 13 : 18).Input("x", 1, 2, 5, 4);
        if (scales is not null) m.Weight("scales", [4], scales);
        else m.Ints("sizes", sizes!);
        (string, object)[] attributes = [("mode", mode), ("coordinate_transformation_mode", coordinates), ("nearest_mode", nearest),
            ("cubic_coeff_a", cubicA), ("exclude_outside", excludeOutside)];
        if (sizes is not null) attributes = [.. attributes, ("axes", new long[] { 2, 3 })];
        m.Node("Resize", ["x", "", scales is null ? "" : "scales", sizes is null ? "" : "sizes"], ["r"], "resize", attributes)
            .Node("Sigmoid", ["r"], ["s"]).Output("s");
        GradientCheck.AssertMatches(m.Save(), ["s"], relative: 1e-3, float32Step: 1e-2);
    }

    [Theory]
    [InlineData("Upsample", 9L, "nearest", 2.0)]
    [InlineData("Upsample", 9L, "linear", 2.0)]
    [InlineData("Upsample", 7L, "nearest", 3.0)]
    [InlineData("Resize", 10L, "nearest", 2.0)]
    [InlineData("Resize", 10L, "linear", 1.5)]
    [InlineData("Resize", 10L, "nearest", 0.5)]
    public void Upsample_and_resize_10_sample_asymmetrically(string op, long opset, string mode, double scale)
    {
        var m = new TinyModel(opset).Input("x", 1, 2, 4, 6);
        double[] scales = [1, 1, scale, scale];
        if (opset == 7)
            m.Node(op, ["x"], ["r"], "up", ("mode", mode), ("scales", scales));
        else
            m.Weight("scales", [4], scales).Node(op, ["x", "scales"], ["r"], "up", ("mode", mode));
        m.Node("Sigmoid", ["r"], ["s"]).Output("s");
        GradientCheck.AssertMatches(m.Save(), ["s"], relative: 1e-3, float32Step: 1e-2);
    }

    [Theory]
    [InlineData(2L, 2L, 0L, 0L, 1L, 1L)]   // a U-Net's 2x2, stride-2 up-convolution
    [InlineData(3L, 2L, 1L, 1L, 1L, 1L)]   // 3x3, stride 2, pad 1, output_padding 1 (many decoders)
    [InlineData(3L, 1L, 1L, 0L, 2L, 2L)]   // stride 1, dilation 2, grouped
    [InlineData(4L, 3L, 2L, 2L, 1L, 1L)]   // stride 3 with uneven padding
    public void ConvTranspose(long kernel, long stride, long pad, long outputPadding, long dilation, long group)
    {
        var m = new TinyModel(13).Input("x", 1, 4, 3, 5);
        Weights(m, "w", 4, 6 / group, kernel, kernel);
        Weights(m, "b", 6);
        m.Node("ConvTranspose", ["x", "w", "b"], ["t"], "up", ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad + 1, pad, pad }),
                ("output_padding", new[] { outputPadding, outputPadding }), ("dilations", new[] { dilation, dilation }), ("group", group))
            .Node("Sigmoid", ["t"], ["s"]).Output("s");
        GradientCheck.AssertMatches(m.Save(), ["s"], relative: 1e-3, float32Step: 1e-2);
    }
}
