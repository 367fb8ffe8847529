using Analyzer.Onnx.Gradients;
using Analyzer.Onnx.Shapes;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Gradients;

/// <summary>
/// Every operator the backward graph supports: the generated vector-Jacobian products (run in float32 by ONNX Runtime)
/// against central finite differences of the objective in float64, on random inputs, weights and masks.
/// </summary>
public partial class OperatorGradientTests
{
    private static double[] Random(int seed, long count, double scale = 1)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)count).Select(_ => scale * (2 * rng.NextDouble() - 1)).ToArray();
    }

    /// <summary>The operators of the gradient graph built for <paramref name="path"/>'s tensor y.</summary>
    private static List<string> GradientOps(string path)
    {
        var file = OnnxModelFile.Load(path);
        var built = Onnx.Protos.ModelProto.Parser.ParseFrom(InputGradientGraph.Build(file, ShapeInference.Infer(file.Graph), ["y"]).Bytes);
        return built.Graph.Node.Select(n => n.OpType).ToList();
    }

    // Seeded by the name's characters: string.GetHashCode differs from process to process, which made the weights (and
    // an occasional near-zero gradient) change between runs.
    private static TinyModel Weights(TinyModel m, string name, params long[] shape) =>
        m.Weight(name, shape, Random(name.Aggregate(17, (h, c) => h * 31 + c) & 0xffff, shape.Aggregate(1L, (a, b) => a * b)));

    [Theory]
    [InlineData(0L, 1L, 1.0)]
    [InlineData(0L, 0L, 0.7)]
    [InlineData(1L, 1L, 1.3)]
    public void Gemm(long transA, long transB, double alpha)
    {
        var m = new TinyModel().Input("x", 1, 5);
        Weights(m, "w", transB == 1 ? [4, 5] : [5, 4]);
        Weights(m, "b", 4);
        string a = "x";
        if (transA == 1) { m.Node("Transpose", ["x"], ["xt"], null, ("perm", new long[] { 1, 0 })); a = "xt"; }
        m.Node("Gemm", [a, "w", "b"], ["y"], null, ("transA", transA), ("transB", transB), ("alpha", alpha)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void MatMulAndRelu()
    {
        var m = new TinyModel().Input("x", 1, 3, 6);
        Weights(m, "w1", 6, 8);
        Weights(m, "w2", 8, 4);
        m.Node("MatMul", ["x", "w1"], ["h"]).Node("Relu", ["h"], ["r"]).Node("MatMul", ["r", "w2"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Theory]
    [InlineData(1L, 1L, 1L, 1L)]
    [InlineData(2L, 0L, 1L, 1L)]
    [InlineData(2L, 1L, 2L, 1L)]
    [InlineData(1L, 1L, 1L, 2L)]
    public void Conv(long stride, long pad, long group, long dilation)
    {
        var m = new TinyModel().Input("x", 1, 4, 7, 6);
        Weights(m, "w", 6, 4 / group, 3, 3);
        Weights(m, "b", 6);
        m.Node("Conv", ["x", "w", "b"], ["y"], null, ("strides", new[] { stride, stride }), ("pads", new[] { pad, pad, pad, pad }),
            ("group", group), ("dilations", new[] { dilation, dilation }), ("kernel_shape", new long[] { 3, 3 })).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void ConvWithOneInputChannelUsesTheTransposedConvolution()
    {
        var m = new TinyModel().Input("x", 1, 1, 8, 8);
        Weights(m, "w", 5, 1, 3, 3);
        m.Node("Conv", ["x", "w"], ["y"], null, ("pads", new long[] { 1, 0, 1, 2 })).Output("y");
        string path = m.Save();
        Assert.Contains("ConvTranspose", GradientOps(path));
        GradientCheck.AssertMatches(path, ["y"]);
    }

    [Fact]
    public void StrideOneConvUsesTheFlippedKernelConvolution()
    {
        var m = new TinyModel().Input("x", 1, 4, 6, 5);
        Weights(m, "w", 6, 2, 3, 2);
        m.Node("Conv", ["x", "w"], ["y"], null, ("pads", new long[] { 1, 0, 0, 1 }), ("group", 2L)).Output("y");
        string path = m.Save();
        Assert.DoesNotContain("ConvTranspose", GradientOps(path));
        GradientCheck.AssertMatches(path, ["y"]);
    }

    [Theory]
    [InlineData(13L, 2L, 2L)]
    [InlineData(16L, 3L, 2L)]
    [InlineData(16L, 3L, 1L)]
    [InlineData(13L, 3L, 2L)]
    [InlineData(13L, 3L, 1L)]
    [InlineData(11L, 2L, 1L)]
    public void MaxPool(long opset, long kernel, long stride)
    {
        var m = new TinyModel(opset).Input("x", 1, 3, 7, 7);
        Weights(m, "w", 3, 3, 1, 1);
        m.Node("Conv", ["x", "w"], ["c"])
            .Node("MaxPool", ["c"], ["y"], null, ("kernel_shape", new[] { kernel, kernel }), ("strides", new[] { stride, stride }))
            .Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], opsetFloor: 13);
    }

    [Fact]
    public void MaxPoolAfterReluRoutesByEqualityWithoutIndices()
    {
        // Conv -> Relu -> 2x2 MaxPool: the gradient is routed where the input equals its window's maximum (no indices,
        // no scatter); the negative bias makes many windows all-zero, so ties at 0 occur and must not leak gradient.
        var m = new TinyModel().Input("x", 1, 1, 6, 6);
        Weights(m, "w", 3, 1, 3, 3);
        m.Weight("b", [3], -0.3, -0.2, -0.4);
        Weights(m, "w2", 2, 3, 1, 1);
        m.Node("Conv", ["x", "w", "b"], ["c"], null, ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c"], ["r"])
            .Node("MaxPool", ["r"], ["p"], null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Conv", ["p", "w2"], ["y"]).Output("y");
        string path = m.Save();
        var ops = GradientOps(path);
        Assert.DoesNotContain(ops, op => op is "ScatterElements" or "Scatter");
        Assert.Contains("Equal", ops);
        // The ReLU, read only by the pool, has no mask of its own: the one Greater is the pool's (on the pooled map).
        Assert.Equal(1, ops.Count(op => op == "Greater"));
        for (int seed = 0; seed < 4; seed++) GradientCheck.AssertMatches(path, ["y"], seed);
    }

    [Fact]
    public void OverlappingMaxPoolBeforeOpset16ScattersPhaseByPhase()
    {
        // 3x3 windows, stride 1: m = 3 per axis, nine phases of non-overlapping windows, each a plain scatter.
        var m = new TinyModel(13).Input("x", 1, 1, 5, 5)
            .Node("MaxPool", ["x"], ["y"], "pool", ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 1, 1 })).Output("y");
        string path = m.Save();
        Assert.Equal(9, GradientOps(path).Count(op => op == "ScatterElements"));
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 1L)]
    [InlineData(1L, 0L)]
    public void AveragePool(long pad, long includePad)
    {
        var m = new TinyModel().Input("x", 1, 2, 6, 7);
        m.Node("AveragePool", ["x"], ["y"], null, ("kernel_shape", new long[] { 3, 2 }), ("strides", new long[] { 2, 2 }),
            ("pads", new[] { pad, pad, pad, pad }), ("count_include_pad", includePad)).Output("y");
        if (pad == 1 && includePad == 0)
        {
            // The float64 reference cannot express per-window divisors; check against the include-pad variant's
            // closed form instead: a border window's divisor is its count of real pixels.
            CheckExcludedPadCounts(m.Save());
            return;
        }
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    private static void CheckExcludedPadCounts(string path)
    {
        // With x = 1 everywhere, every output of a count_include_pad = 0 average pool is 1, so the objective is
        // Σ mask · outputs and its gradient at pixel p is Σ over windows w containing p of mask / count(w).
        var file = OnnxModelFile.Load(path);
        var shapes = ShapeInference.Infer(file.Graph);
        var built = InputGradientGraph.Build(file, shapes, ["y"]);
        using var session = Analyzer.Onnx.Inference.OnnxSession.Create(built.Bytes, path, Analyzer.Onnx.Inference.ExecutionDevice.Cpu);
        var outputs = session.Run([new("x", Enumerable.Repeat(1f, 2 * 6 * 7).ToArray(), [1, 2, 6, 7]), new(InputGradientGraph.MaskInput(0), [1f, 1f], [1, 2])],
            [InputGradientGraph.ObjectiveOutput, InputGradientGraph.GradientOutput]);
        long oh = shapes.ShapeOf("y")[2], ow = shapes.ShapeOf("y")[3];
        Assert.Equal(2 * oh * ow, outputs[0].Data[0], 4);
        var expected = new double[6 * 7];
        for (int i = 0; i < oh; i++)
            for (int j = 0; j < ow; j++)
            {
                var rows = Enumerable.Range(2 * i - 1, 3).Where(r => r is >= 0 and < 6).ToArray();
                var cols = Enumerable.Range(2 * j - 1, 2).Where(c => c is >= 0 and < 7).ToArray();
                foreach (int r in rows) foreach (int c in cols) expected[r * 7 + c] += 1.0 / (rows.Length * cols.Length);
            }
        new Tolerance(1e-6, 1e-5).AssertAll(outputs[1].Data.Take(42).Select(v => (double)v).ToArray(), expected, "gradient");
    }

    [Fact]
    public void GlobalAveragePoolAndBroadcastMulOfTwoDataTensors()
    {
        // A squeeze-and-excitation shape: y = x ⊙ sigmoid(GAP(x)), the [N,C,1,1] factor broadcast over space.
        var m = new TinyModel().Input("x", 1, 3, 4, 5)
            .Node("GlobalAveragePool", ["x"], ["g"]).Node("Sigmoid", ["g"], ["s"]).Node("Mul", ["x", "s"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void GlobalMaxPool()
    {
        var m = new TinyModel().Input("x", 1, 3, 5, 4);
        Weights(m, "w", 2, 3, 1, 1);
        m.Node("GlobalMaxPool", ["x"], ["g"]).Node("Conv", ["g", "w"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void BatchNormalization()
    {
        var m = new TinyModel().Input("x", 1, 3, 4, 4);
        Weights(m, "scale", 3);
        Weights(m, "bias", 3);
        Weights(m, "mean", 3);
        m.Weight("var", [3], 0.5, 1.5, 2.5);
        m.Node("BatchNormalization", ["x", "scale", "bias", "mean", "var"], ["y"], null, ("epsilon", 1e-3)).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void ReshapesAndTranspose()
    {
        var m = new TinyModel().Input("x", 1, 2, 3, 4).Ints("shape", 0, 6, 4).Ints("axes", 1);
        Weights(m, "w", 6, 5);
        m.Node("Transpose", ["x"], ["t"], null, ("perm", new long[] { 0, 3, 1, 2 }))
            .Node("Flatten", ["t"], ["f"], null, ("axis", 1L))
            .Node("Reshape", ["x", "shape"], ["r"])
            .Node("Unsqueeze", ["r", "axes"], ["u"])
            .Node("Squeeze", ["u", "axes"], ["s"])
            .Node("Transpose", ["s"], ["st"], null, ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["st", "w"], ["p"])
            .Node("Reshape", ["f", "shape2"], ["f2"]).Ints("shape2", 0, 4, 6)
            .Node("MatMul", ["f2", "w"], ["q"])
            .Node("Add", ["p", "q"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void ArithmeticWithBroadcasting()
    {
        var m = new TinyModel().Input("x", 1, 3, 4, 4);
        Weights(m, "bias", 3, 1, 1);
        m.Weight("divisor", [1, 4], 0.5, -1.5, 2, 3);
        m.Node("Add", ["x", "bias"], ["a"])
            .Node("Sub", ["bias", "a"], ["s"])
            .Node("Mul", ["s", "x"], ["m"])
            .Node("Div", ["m", "divisor"], ["d"])
            .Node("Neg", ["d"], ["n"])
            .Node("Sum", ["n", "x", "d"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void DivisionByADataTensor()
    {
        var m = new TinyModel().Input("x", 1, 6);
        m.Weight("two", [1], 2.0);
        m.Node("Sigmoid", ["x"], ["s"]).Node("Add", ["s", "two"], ["d"]).Node("Div", ["x", "d"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void ConcatAndSplit()
    {
        var m = new TinyModel().Input("x", 1, 4, 3, 3);
        Weights(m, "w1", 2, 4, 1, 1);
        Weights(m, "w2", 3, 4, 3, 3);
        m.Node("Conv", ["x", "w1"], ["a"]).Node("Conv", ["x", "w2"], ["b"], null, ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Concat", ["a", "x", "b"], ["c"], null, ("axis", 1L))
            .Node("Split", ["c", "parts"], ["p", "q"], null, ("axis", 1L)).Ints("parts", 5, 4)
            .Node("Tanh", ["q"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void PadClipLeakyReluSigmoidTanh()
    {
        var m = new TinyModel().Input("x", 1, 2, 4, 4).Ints("pads", 0, 0, 1, 2, 0, 0, 2, 0);
        m.Weight("lo", [], -0.5).Weight("hi", [], 0.6);
        m.Node("Pad", ["x", "pads"], ["p"])
            .Node("Clip", ["p", "lo", "hi"], ["c"])
            .Node("LeakyRelu", ["x"], ["l"], null, ("alpha", 0.2))
            .Node("Sigmoid", ["l"], ["s"])
            .Node("Tanh", ["s"], ["t"])
            .Node("Pad", ["t", "pads"], ["tp"])
            .Node("Add", ["c", "tp"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Theory]
    [InlineData("Softplus")]
    [InlineData("Softsign")]
    [InlineData("Elu")]
    [InlineData("Selu")]
    [InlineData("HardSigmoid")]
    [InlineData("HardSwish")]
    [InlineData("Exp")]
    public void SmoothActivations(string op)
    {
        // Inputs spread over [-4, 4] so that HardSigmoid's and HardSwish's flat and linear parts are all visited.
        var m = new TinyModel(14).Input("x", 1, 24);
        Weights(m, "w", 24, 10);
        m.Node(op, ["x"], ["a"]).Node("MatMul", ["a", "w"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"], inputScale: 4);
    }

    [Fact]
    public void LogAndSqrtOfPositiveValues()
    {
        var m = new TinyModel().Input("x", 1, 12);
        m.Weight("one", [], 1.5);
        Weights(m, "w", 12, 6);
        m.Node("Add", ["x", "one"], ["p"]).Node("Log", ["p"], ["l"]).Node("Sqrt", ["p"], ["r"]).Node("Add", ["l", "r"], ["s"])
            .Node("MatMul", ["s", "w"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["y"]);
    }

    [Fact]
    public void SeveralTargetsSumTheirObjectives()
    {
        var m = new TinyModel().Input("x", 1, 5);
        Weights(m, "w1", 5, 6);
        Weights(m, "w2", 6, 3);
        m.Node("MatMul", ["x", "w1"], ["h"]).Node("Relu", ["h"], ["r"]).Node("MatMul", ["r", "w2"], ["y"]).Output("y");
        GradientCheck.AssertMatches(m.Save(), ["h", "y"]);
    }

    [Theory]
    [InlineData(10L)]
    [InlineData(11L)]
    public void OlderOpsetsWriteTheirOwnOperatorForms(long opset)
    {
        // Opset 10: ReduceSum/Unsqueeze axes as attributes, a non-overlapping MaxPool over a ReLU through Scatter.
        var m = new TinyModel(opset).Input("x", 1, 2, 4, 4);
        Weights(m, "w", 3, 2, 3, 3);
        Weights(m, "w2", 4, 12);
        Weights(m, "b2", 4);
        m.Node("Conv", ["x", "w"], ["c"], null, ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["c"], ["r"])
            .Node("MaxPool", ["r"], ["p"], null, ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Flatten", ["p"], ["f"])
            .Node("Gemm", ["f", "w2", "b2"], ["y"], null, ("transB", 1L)).Output("y");
        string path = m.Save();
        Assert.Contains(opset < 11 ? "Scatter" : "Equal", GradientOps(path));
        GradientCheck.AssertMatches(path, ["c", "y"], opsetFloor: 13);
    }

    [Fact]
    public void UnsupportedOperatorIsNamed()
    {
        var m = new TinyModel().Input("x", 1, 4, 2, 2).Node("LpPool", ["x"], ["s"], "lp", ("kernel_shape", new long[] { 1, 1 })).Node("Relu", ["s"], ["y"]).Output("y");
        string path = m.Save();
        var file = OnnxModelFile.Load(path);
        var e = Assert.Throws<ModelFormatException>(() => InputGradientGraph.Build(file, ShapeInference.Infer(file.Graph), ["y"]));
        Assert.Contains("(LpPool)", e.Message);
        Assert.Contains("'lp'", e.Message);
        Assert.StartsWith(path, e.Message);
    }
}
