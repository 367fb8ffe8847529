using Analyzer.Onnx.Shapes;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Shapes;

public class ShapeInferenceTests
{
    private static InferredShapes Infer(TinyModel model) => ShapeInference.Infer(OnnxModelFile.Load(model.Save()).Graph);

    [Fact]
    public void Conv_and_pool_output_sizes_follow_the_onnx_formula()
    {
        // out = floor((in + pads - dilation*(k-1) - 1) / stride) + 1: (32 + 2 - 2*(3-1) - 1)/2 + 1 = 15.
        var shapes = Infer(new TinyModel()
            .Input("x", 1, 3, 32, 32)
            .Weight("w", [8, 3, 3, 3], new double[8 * 27])
            .Node("Conv", ["x", "w"], ["c"], attributes: [("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }), ("dilations", new long[] { 2, 2 })])
            .Node("MaxPool", ["c"], ["p"], attributes: [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L)])
            .Node("GlobalAveragePool", ["p"], ["g"])
            .Node("Flatten", ["g"], ["f"])
            .Output("f"));
        Assert.Equal([1L, 8, 15, 15], shapes.ShapeOf("c"));
        Assert.Equal([1L, 8, 8, 8], shapes.ShapeOf("p")); // ceil((15 - 2)/2) + 1 = 8
        Assert.Equal([1L, 8, 1, 1], shapes.ShapeOf("g"));
        Assert.Equal([1L, 8], shapes.ShapeOf("f"));
    }

    [Fact]
    public void Reshape_with_a_shape_computed_from_Shape_Gather_Concat_is_folded()
    {
        var shapes = Infer(new TinyModel()
            .Input("x", 1, 4, 3, 3)
            .Ints("zero", 0)
            .Ints("minus1", -1)
            .Node("Shape", ["x"], ["s"])
            .Node("Gather", ["s", "zero"], ["n"], attributes: [("axis", 0L)])
            .Node("Concat", ["n", "minus1"], ["target"], attributes: [("axis", 0L)])
            .Node("Reshape", ["x", "target"], ["y"])
            .Output("y"));
        Assert.Equal([1L, -1], shapes.ConstantOf("target")!.Ints!);
        Assert.Equal([1L, 36], shapes.ShapeOf("y"));
    }

    [Fact]
    public void ConstantOfShape_weights_are_materialised()
    {
        var shapes = Infer(new TinyModel()
            .Input("x", 1, 2)
            .Ints("wshape", 3, 2)
            .Node("ConstantOfShape", ["wshape"], ["w"])
            .Node("Gemm", ["x", "w"], ["y"], attributes: [("transB", 1L)])
            .Output("y"));
        Assert.Equal([3L, 2], shapes.ConstantOf("w")!.Shape);
        Assert.Equal([1L, 3], shapes.ShapeOf("y"));
    }

    [Fact]
    public void A_gemm_whose_weight_does_not_fit_names_the_node_and_both_shapes()
    {
        string path = new TinyModel().Input("x", 1, 128).Weight("W", [10, 64], new double[640])
            .Node("Gemm", ["x", "W"], ["y"], "fc2", ("transB", 1L)).Output("y").Save();
        var e = Assert.Throws<ModelFormatException>(() => ShapeInference.Infer(OnnxModelFile.Load(path).Graph));
        Assert.Equal($"{path}: node 'fc2' (Gemm): weight B has shape [10, 64] but its input has 128 units; expected [*, 128]", e.Message);
    }

    [Fact]
    public void A_missing_initializer_names_the_node_and_the_input()
    {
        string path = new TinyModel().Input("x", 1, 4).Node("Gemm", ["x", "W"], ["y"], "fc1").Output("y").Save();
        var e = Assert.Throws<ModelFormatException>(() => ShapeInference.Infer(OnnxModelFile.Load(path).Graph));
        Assert.Equal($"{path}: node 'fc1' (Gemm): input 'W' is not produced by any earlier node, initializer or graph input", e.Message);
    }

    [Fact]
    public void An_unsupported_operator_names_the_node()
    {
        string path = new TinyModel().Input("x", 1, 4).Node("Det", ["x"], ["y"], "det").Output("y").Save();
        var e = Assert.Throws<ModelFormatException>(() => ShapeInference.Infer(OnnxModelFile.Load(path).Graph));
        Assert.Equal($"{path}: node 'det' (Det): operator is not supported", e.Message);
    }

    [Fact]
    public void Shape_arithmetic_with_Mod_ScatterND_and_Range_is_folded()
    {
        // Swin's window padding (w - n mod w) mod w and its attention mask built by ScatterND on zeros.
        var shapes = Infer(new TinyModel()
            .Input("x", 1, 7)
            .Ints("window", 4).Ints("minus", -5).Ints("dims", 2, 3).Ints("at", 1, 0, 0, 2).Ints("start", 0).Ints("limit", 6).Ints("delta", 2)
            .Node("Shape", ["x"], ["s"]).Node("Gather", ["s", "one"], ["n"], attributes: [("axis", 0L)]).Ints("one", 1)
            .Node("Mod", ["n", "window"], ["r"]).Node("Sub", ["window", "r"], ["pad0"]).Node("Mod", ["pad0", "window"], ["pad"])
            .Node("Mod", ["minus", "window"], ["negative"])
            .Ints("zeros_flat", 0, 0, 0, 0, 0, 0).Node("Reshape", ["zeros_flat", "dims"], ["zeros"])
            .Node("Reshape", ["at", "at_shape"], ["indices"]).Ints("at_shape", 2, 2)
            .Node("ScatterND", ["zeros", "indices", "updates"], ["mask"]).Ints("updates", 7, 9)
            .Node("Range", ["start", "limit", "delta"], ["steps"])
            .Node("Relu", ["x"], ["y"])
            .Output("y"));
        Assert.Equal([1L], shapes.ConstantOf("pad")!.Ints!);        // (4 - 7 mod 4) mod 4
        Assert.Equal([3L], shapes.ConstantOf("negative")!.Ints!);   // -5 mod 4, with the divisor's sign
        Assert.Equal([0L, 0, 9, 7, 0, 0], shapes.ConstantOf("mask")!.Ints!);
        Assert.Equal([0L, 2, 4], shapes.ConstantOf("steps")!.Ints!);
    }
}
