using Google.Protobuf;
using Analyzer.Onnx.Gradients;
using Analyzer.Onnx.Shapes;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Gradients;

/// <summary>Old files (opset 7 and 8: CNTK, the older model zoo) get their gradient graph written at opset 9, their own
/// nodes carried over; the products are checked against finite differences like any other.</summary>
public partial class OperatorGradientTests
{
    [Theory]
    [InlineData(7L)]
    [InlineData(8L)]
    public void An_old_opset_cnn_is_differentiated_at_opset_9(long opset)
    {
        var m = new TinyModel(opset).Input("x", 1, 2, 6, 6);
        Weights(m, "k", 3, 2, 3, 3);
        Weights(m, "w", 4, 27);
        Weights(m, "b", 4);
        m.Node("Conv", ["x", "k"], ["c"], "conv", ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c"], ["r"])
            .Node("MaxPool", ["r"], ["p"], "pool", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Flatten", ["p"], ["f"]).Node("Gemm", ["f", "w", "b"], ["y"], "fc", ("transB", 1L)).Output("y");
        string path = m.Save();
        var file = OnnxModelFile.Load(path);
        var built = Onnx.Protos.ModelProto.Parser.ParseFrom(InputGradientGraph.Build(file, ShapeInference.Infer(file.Graph), ["y"]).Bytes);
        Assert.Equal(InputGradientGraph.MinOpset, built.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        GradientCheck.AssertMatches(path, ["c", "y"], opsetFloor: 13);
    }

    [Theory]
    [InlineData(1L, null)]
    [InlineData(0L, "spatial = 0 has no opset-9 form")]
    public void An_opset_7_batch_norm_loses_its_spatial_attribute_or_is_refused_by_name(long spatial, string? refusal)
    {
        var m = new TinyModel(7).Input("x", 1, 2, 4, 4);
        Weights(m, "k", 3, 2, 3, 3);
        m.Weight("scale", [3], 1, 2, 0.5).Weight("bias", [3], 0, 0.1, -0.1).Weight("mean", [3], 0, 0, 0).Weight("var", [3], 1, 1, 1);
        m.Node("Conv", ["x", "k"], ["c"], "conv").Node("BatchNormalization", ["c", "scale", "bias", "mean", "var"], ["n"], "bn", ("spatial", spatial))
            .Node("Relu", ["n"], ["y"]).Output("y");
        var file = OnnxModelFile.Load(m.Save());
        var shapes = ShapeInference.Infer(file.Graph);
        if (refusal is not null)
        {
            Assert.Contains(refusal, InputGradientGraph.Check(file, shapes, ["n"]));
            return;
        }
        Assert.Null(InputGradientGraph.Check(file, shapes, ["n"]));
        var built = Onnx.Protos.ModelProto.Parser.ParseFrom(InputGradientGraph.Build(file, shapes, ["n"]).Bytes);
        Assert.DoesNotContain(built.Graph.Node.Single(n => n.OpType == "BatchNormalization").Attribute, a => a.Name == "spatial");
        using var session = Inference.OnnxSession.Create(built.ToByteArray(), "bn", Inference.ExecutionDevice.Cpu);
        var gradient = session.Run([new("x", new float[2 * 32], [2, 2, 4, 4]), new(InputGradientGraph.MaskInput(0), [1, 1, 1, 1, 1, 1], [2, 3])],
            [InputGradientGraph.GradientOutput])[0];
        Assert.Equal([2, 2, 4, 4], gradient.Shape);
    }
}
