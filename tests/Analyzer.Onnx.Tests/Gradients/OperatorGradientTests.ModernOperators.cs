using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Gradients;

/// <summary>
/// The operators ImageNet-class architectures bring (MobileNet, EfficientNet, ConvNeXt, ViT, ShuffleNet, MNASNet):
/// reductions, broadcasts and gathers, GELU and Erf, LayerNorm and the other normalisations, softmax, products of two
/// activations (attention), and the remaining elementwise activations, each against float64 finite differences.
/// </summary>
public partial class OperatorGradientTests
{
    [Theory]
    [InlineData("ReduceMean", 13L, false)]
    [InlineData("ReduceMean", 18L, true)]
    [InlineData("ReduceSum", 13L, true)]
    [InlineData("ReduceMax", 13L, false)]
    [InlineData("ReduceMin", 18L, true)]
    [InlineData("ReduceL2", 13L, false)]
    [InlineData("ReduceL1", 13L, false)]
    [InlineData("ReduceSumSquare", 13L, false)]
    [InlineData("ReduceLogSumExp", 13L, false)]
    public void Reductions(string op, long opset, bool axesAsInput)
    {
        // Over space with keepdims (a squeeze-and-excitation or MNASNet mean) and over channels without.
        var m = new TinyModel(opset).Input("x", 1, 3, 4, 5).Ints("spatial", 2, 3).Ints("channels", 1);
        Weights(m, "w", 2, 3, 1, 1);
        bool asInput = axesAsInput || (op == "ReduceSum" && opset >= 13) || opset >= 18;
        (string, object) Keep(long k) => ("keepdims", k);
        if (asInput)
            m.Node(op, ["x", "spatial"], ["s"], null, Keep(1)).Node(op, ["x", "channels"], ["c"], null, Keep(0));
        else
            m.Node(op, ["x"], ["s"], null, ("axes", new long[] { 2, 3 }), Keep(1)).Node(op, ["x"], ["c"], null, ("axes", new long[] { 1 }), Keep(0));
        m.Node("Conv", ["s", "w"], ["y"]).Output("y").Output("c");
        GradientCheck.AssertMatches(m.Save(), ["y", "c"], opsetFloor: 13);
    }

    [Fact]
    public void ExpandAndTile()
    {
        var m = new TinyModel().Input("x", 1, 3, 1, 4).Ints("shape", 1, 3, 2, 4).Ints("repeats", 1, 2, 1, 3);
        m.Node("Expand", ["x", "shape"], ["e"]).Node("Tile", ["x", "repeats"], ["t"])
            .Node("Sigmoid", ["e"], ["y"]).Node("Tanh", ["t"], ["z"]).Output("y").Output("z");
        GradientCheck.AssertMatches(m.Save(), ["y", "z"]);
    }

    [Fact]
    public void GatherSliceAndWhere()
    {
        // A ViT's class-token read (Gather of one index on the token axis) and a slice of channels; Where picks between
        // two activations by a constant condition.
        var m = new TinyModel().Input("x", 1, 5, 4).Ints("first", 0).Ints("starts", 1).Ints("ends", 4).Ints("axes", 2);
        m.Weight("condition", [4], 1, 0, 0, 1);
        m.Node("Cast", ["condition"], ["c"], null, ("to", 9L))
            .Node("Gather", ["x", "first"], ["g"], null, ("axis", 1L))
            .Node("Slice", ["x", "starts", "ends", "axes"], ["s"])
            .Node("Tanh", ["x"], ["t"]).Node("Sigmoid", ["x"], ["u"])
            .Node("Where", ["c", "t", "u"], ["w"])
            .Output("g").Output("s").Output("w");
        GradientCheck.AssertMatches(m.Save(), ["g", "s", "w"], unitAxes: [1, 2, 2]);
    }

    [Theory]
    [InlineData(1L, 0L)]
    [InlineData(0L, 1L)]
    [InlineData(1L, -1L)]
    public void Trilu_on_activations_and_as_a_causal_mask(long upper, long k)
    {
        // On an activation Trilu keeps a triangle of its last two axes; a GPT's causal mask is Trilu of a constant square
        // of ones (folded here), cast to a condition for Where.
        var m = new TinyModel(14).Input("x", 1, 2, 4, 5).Ints("k", k);
        m.Weight("ones", [4, 5], Enumerable.Repeat(1.0, 20).ToArray());
        m.Node("Tanh", ["x"], ["t"]).Node("Trilu", ["t", "k"], ["y"], null, ("upper", upper))
            .Node("Trilu", ["ones"], ["lower"], null, ("upper", 0L)).Node("Cast", ["lower"], ["c"], null, ("to", 9L))
            .Node("Sigmoid", ["x"], ["u"]).Node("Where", ["c", "t", "u"], ["w"])
            .Output("y").Output("w");
        GradientCheck.AssertMatches(m.Save(), ["y", "w"], unitAxes: [1, 1], opsetFloor: 14);
    }

    [Fact]
    public void Slices_of_a_tensor_whose_examples_lie_on_axis_1()
    {
        // PaddleOCR's SVTR splits q, k, v by slicing axis 0 of a [3, N, heads, T, d] transpose: axis 0 is not the
        // examples' axis there, and axis 1 is never sliced. A strided slice too.
        var m = new TinyModel().Input("x", 1, 4, 6).Ints("starts", 1).Ints("ends", 3).Ints("axes", 0)
            .Ints("starts2", 0, 1).Ints("ends2", 4, 6).Ints("axes2", 0, 2).Ints("steps2", 2, 2);
        m.Node("Transpose", ["x"], ["t"], null, ("perm", new long[] { 1, 0, 2 }))
            .Node("Slice", ["t", "starts", "ends", "axes"], ["s"])
            .Node("Slice", ["t", "starts2", "ends2", "axes2", "steps2"], ["u"])
            .Node("Transpose", ["s"], ["sb"], null, ("perm", new long[] { 1, 0, 2 }))
            .Node("Transpose", ["u"], ["ub"], null, ("perm", new long[] { 1, 0, 2 }))
            .Node("Tanh", ["sb"], ["y"]).Node("Sigmoid", ["ub"], ["z"]).Output("y").Output("z");
        GradientCheck.AssertMatches(m.Save(), ["y", "z"], unitAxes: [2, 2]);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 0L)]
    [InlineData(0L, 1L)]
    [InlineData(1L, 1L)]
    public void CumSum(long exclusive, long reverse)
    {
        var m = new TinyModel(14).Input("x", 1, 3, 5).Ints("axis", 2);
        m.Node("CumSum", ["x", "axis"], ["c"], null, ("exclusive", exclusive), ("reverse", reverse)).Node("Tanh", ["c"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void CumSum_of_a_constant_mask_folds_into_position_ids()
    {
        // Hugging Face exports: position_ids = cumsum(mask, 1) · mask - 1, on the mask [[1, 1, 1, 0], [0, 1, 1, 1]].
        var m = new TinyModel(14).Input("x", 1, 4).Ints("mask", 1, 1, 1, 0, 0, 1, 1, 1).Ints("shape", 2, 4).Ints("axis", 1);
        m.Node("Reshape", ["mask", "shape"], ["m"]).Node("CumSum", ["m", "axis"], ["c"]).Node("CumSum", ["m", "axis"], ["e"], null, ("exclusive", 1L), ("reverse", 1L))
            .Node("Relu", ["x"], ["y"]).Output("y");
        var file = OnnxModelFile.Load(m.Save());
        var shapes = Analyzer.Onnx.Shapes.ShapeInference.Infer(file.Graph);
        Assert.Equal([1L, 2, 3, 3, 0, 1, 2, 3], shapes.ConstantOf("c")!.AsInt64s());
        Assert.Equal([2L, 1, 0, 0, 3, 2, 1, 0], shapes.ConstantOf("e")!.AsInt64s());
    }

    [Fact]
    public void StridedSlices()
    {
        // Swin's patch merging takes x[:, 0::2, 1::2, :]; a step of 3 that ends short of the axis leaves a tail of zeros.
        var m = new TinyModel().Input("x", 1, 5, 7, 3)
            .Ints("starts", 0, 1).Ints("ends", 5, 7).Ints("axes", 1, 2).Ints("steps", 2, 2)
            .Ints("starts3", 1).Ints("ends3", 6).Ints("axes3", 2).Ints("steps3", 3);
        m.Node("Slice", ["x", "starts", "ends", "axes", "steps"], ["s"])
            .Node("Slice", ["x", "starts3", "ends3", "axes3", "steps3"], ["t"])
            .Node("Tanh", ["s"], ["y"]).Output("y").Output("t");
        GradientCheck.AssertMatches(m.Save(), ["y", "t"], unitAxes: [3, 3]);
    }

    [Fact]
    public void ErfAndGeluWrittenOut()
    {
        // GELU as PyTorch exports it before opset 20: x · (1 + erf(x / √2)) · 0.5.
        var m = new TinyModel().Input("x", 1, 16);
        m.Weight("sqrt2", [], Math.Sqrt(2)).Weight("one", [], 1).Weight("half", [], 0.5);
        m.Node("Div", ["x", "sqrt2"], ["d"]).Node("Erf", ["d"], ["e"]).Node("Add", ["e", "one"], ["e1"])
            .Node("Mul", ["x", "e1"], ["p"]).Node("Mul", ["p", "half"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], inputScale: 3);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("tanh")]
    public void Gelu(string approximate)
    {
        var m = new TinyModel(20).Input("x", 1, 16);
        m.Node("Gelu", ["x"], ["y"], null, ("approximate", approximate)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], inputScale: 3);
    }

    [Fact]
    public void LayerNormalizationOverTheLastAxis()
    {
        // ViT and ConvNeXt: [batch, tokens, features] normalised over features.
        var m = new TinyModel(17).Input("x", 1, 3, 6);
        Weights(m, "gamma", 6);
        Weights(m, "beta", 6);
        m.Node("LayerNormalization", ["x", "gamma", "beta"], ["y"], null, ("axis", -1L), ("epsilon", 1e-5)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], unitAxes: [2]);
    }

    [Fact]
    public void LayerNormWrittenOut()
    {
        var m = new TinyModel().Input("x", 1, 3, 6).Ints("last", -1);
        Weights(m, "gamma", 6);
        m.Weight("two", [], 2).Weight("eps", [], 1e-5);
        m.Node("ReduceMean", ["x"], ["mu"], null, ("axes", new long[] { -1 })).Node("Sub", ["x", "mu"], ["d"])
            .Node("Pow", ["d", "two"], ["d2"]).Node("ReduceMean", ["d2"], ["v"], null, ("axes", new long[] { -1 }))
            .Node("Add", ["v", "eps"], ["ve"]).Node("Sqrt", ["ve"], ["sd"]).Node("Div", ["d", "sd"], ["z"])
            .Node("Mul", ["z", "gamma"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], unitAxes: [2]);
    }

    [Fact]
    public void InstanceNormalization()
    {
        var m = new TinyModel().Input("x", 1, 3, 4, 4);
        Weights(m, "scale", 3);
        Weights(m, "bias", 3);
        m.Node("InstanceNormalization", ["x", "scale", "bias"], ["y"], null, ("epsilon", 1e-5)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void GroupNormalization()
    {
        var m = new TinyModel(21).Input("x", 1, 4, 3, 3);
        Weights(m, "scale", 4);
        Weights(m, "bias", 4);
        m.Node("GroupNormalization", ["x", "scale", "bias"], ["y"], null, ("num_groups", 2L), ("epsilon", 1e-5)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], opsetFloor: 21);
    }

    [Theory]
    [InlineData(13L)]
    [InlineData(11L)]
    public void SoftmaxAndLogSoftmax(long opset)
    {
        var m = new TinyModel(opset).Input("x", 1, 3, 5);
        Weights(m, "w", 5, 4);
        m.Node("Softmax", ["x"], ["s"], null, ("axis", -1L)).Node("LogSoftmax", ["x"], ["l"], null, ("axis", 2L))
            .Node("MatMul", ["s", "w"], ["y"]).Output("y").Output("l");
        GradientCheck.AssertMatches(m.Save(), ["y", "l"], opsetFloor: 13, unitAxes: [2, 2]);
    }

    [Fact]
    public void ProductOfTwoActivationsAsInAttention()
    {
        // softmax(q · kᵀ / √d) · v with q, k, v projections of the same tokens.
        var m = new TinyModel().Input("x", 1, 4, 3);
        Weights(m, "wq", 3, 3);
        Weights(m, "wk", 3, 3);
        Weights(m, "wv", 3, 2);
        m.Weight("scale", [], 0.5);
        m.Node("MatMul", ["x", "wq"], ["q"]).Node("MatMul", ["x", "wk"], ["k"]).Node("MatMul", ["x", "wv"], ["v"])
            .Node("Transpose", ["k"], ["kt"], null, ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["q", "kt"], ["s"]).Node("Mul", ["s", "scale"], ["ss"]).Node("Softmax", ["ss"], ["a"], null, ("axis", -1L))
            .Node("MatMul", ["a", "v"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], unitAxes: [2]);
    }

    [Fact]
    public void EinsumAttentionAsMaxVitWritesIt()
    {
        // MaxViT's "B G H I D, B G H J D -> B G H I J" and back, on projections of the same tokens.
        var m = new TinyModel(13).Input("x", 1, 2, 3, 4);
        Weights(m, "wq", 4, 4);
        Weights(m, "wk", 4, 4);
        m.Node("MatMul", ["x", "wq"], ["q"]).Node("MatMul", ["x", "wk"], ["k"])
            .Node("Einsum", ["q", "k"], ["s"], null, ("equation", "B G I D, B G J D -> B G I J"))
            .Node("Softmax", ["s"], ["a"], null, ("axis", -1L))
            .Node("Einsum", ["a", "x"], ["y"], null, ("equation", "bgij,bgjd->bgid")).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], unitAxes: [3]);
    }

    [Fact]
    public void ElementwiseMaxMinMeanAndPow()
    {
        var m = new TinyModel().Input("x", 1, 12);
        m.Weight("three", [], 3).Weight("lo", [], -0.25);
        m.Node("Sigmoid", ["x"], ["s"]).Node("Tanh", ["x"], ["t"])
            .Node("Max", ["s", "t"], ["mx"]).Node("Min", ["s", "t", "lo"], ["mn"]).Node("Mean", ["mx", "mn", "x"], ["me"])
            .Node("Pow", ["me", "three"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Theory]
    [InlineData("Abs")]
    [InlineData("Mish")]
    [InlineData("Celu")]
    [InlineData("ThresholdedRelu")]
    [InlineData("Erf")]
    [InlineData("Reciprocal")]
    public void MoreElementwiseActivations(string op)
    {
        var m = new TinyModel(18).Input("x", 1, 24);
        Weights(m, "w", 24, 10);
        string input = "x";
        if (op == "Reciprocal")
        {
            // Away from 0: 2 + x².
            m.Weight("two", [], 2);
            m.Node("Mul", ["x", "x"], ["x2"]).Node("Add", ["x2", "two"], ["xp"]);
            input = "xp";
        }
        m.Node(op, [input], ["a"]).Node("MatMul", ["a", "w"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], inputScale: 3);
    }

    [Theory]
    [InlineData(5L)]
    [InlineData(3L)]
    public void LocalResponseNormalization(long size)
    {
        // AlexNet-era LRN (ONNX Runtime accepts odd windows only).
        var m = new TinyModel().Input("x", 1, 6, 3, 3);
        m.Node("LRN", ["x"], ["y"], null, ("size", size), ("alpha", 0.3), ("beta", 0.75), ("bias", 1.5)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], inputScale: 2);
    }

    [Fact]
    public void OverlappingMaxPoolAtOpset9GathersEachPhase()
    {
        // Opset 9's Slice has no steps; the phases of the scatter are picked with Gathers.
        var m = new TinyModel(9).Input("x", 1, 2, 6, 6);
        Weights(m, "w", 2, 2, 1, 1);
        m.Node("Conv", ["x", "w"], ["c"])
            .Node("MaxPool", ["c"], ["y"], null, ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }))
            .Output("y");
        string path = m.Save();
        Assert.Contains("Gather", GradientOps(path));
        GradientCheck.AssertMatches(path, ["y"], opsetFloor: 13);
    }

    [Fact]
    public void PReluWithAPerChannelSlope()
    {
        var m = new TinyModel().Input("x", 1, 3, 4, 4);
        m.Weight("slope", [3, 1, 1], 0.1, -0.2, 0.3);
        m.Node("PRelu", ["x", "slope"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void DepthwiseConvAndChannelShuffle()
    {
        // MobileNet's depthwise conv and ShuffleNet's channel shuffle: reshape to 5-D, swap the group axes, flatten.
        var m = new TinyModel().Input("x", 1, 4, 6, 6).Ints("split", 0, 2, 2, 6, 6).Ints("merged", 0, 4, 6, 6);
        Weights(m, "dw", 4, 1, 3, 3);
        m.Node("Conv", ["x", "dw"], ["d"], null, ("group", 4L), ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Reshape", ["d", "split"], ["r"]).Node("Transpose", ["r"], ["t"], null, ("perm", new long[] { 0, 2, 1, 3, 4 }))
            .Node("Reshape", ["t", "merged"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }
}
