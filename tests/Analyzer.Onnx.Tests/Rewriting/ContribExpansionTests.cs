using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Rewriting;

/// <summary>
/// Each fused com.microsoft operator's standard-ONNX expansion computes what ONNX Runtime's own contrib kernel computes
/// (the independent reference), on random inputs; an operator without an expansion is refused by name.
/// </summary>
public class ContribExpansionTests
{
    private const string Microsoft = "com.microsoft";

    private static double[] Values(int count, int seed) => Enumerable.Range(0, count).Select(i => Math.Sin(seed * 31 + i * 1.7) * 1.5).ToArray();

    public static TheoryData<string> Cases() => new()
    {
        "Gelu", "BiasGelu", "FastGelu", "QuickGelu", "FusedMatMul", "FusedMatMulActivations", "FusedGemm", "FusedConv",
        "SkipLayerNormalization", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization",
    };

    private static TinyModel Build(string op, long opset)
    {
        var m = new TinyModel(opset).Input("x", 1, 3, 4);
        m.Weight("bias", [4], Values(4, 1)).Weight("gamma", [4], Values(4, 2)).Weight("beta", [4], Values(4, 3))
            .Weight("w", [5, 4], Values(20, 4)).Weight("skip", [1, 3, 4], Values(12, 5));
        return op switch
        {
            "Gelu" or "QuickGelu" => m.DomainNode(Microsoft, op, ["x"], ["y"]),
            "BiasGelu" => m.DomainNode(Microsoft, op, ["x", "bias"], ["y"]),
            "FastGelu" => m.DomainNode(Microsoft, op, ["x", "bias"], ["y"]),
            // x [N, 3, 4] · (0.5 · wᵀ): a dense layer with its weight transposed and scaled.
            "FusedMatMul" => m.DomainNode(Microsoft, op, ["x", "w"], ["y"], ("transB", 1L), ("alpha", 0.5)),
            // Attention scores: x · xᵀ of activations, scaled.
            "FusedMatMulActivations" => m.Node("Tanh", ["x"], ["t"]).DomainNode(Microsoft, "FusedMatMul", ["x", "t"], ["y"], ("transB", 1L), ("alpha", 0.25)),
            "FusedGemm" => m.Node("Flatten", ["x"], ["f"]).Weight("g", [5, 12], Values(60, 6))
                .DomainNode(Microsoft, op, ["f", "g", "bias5"], ["y"], ("transB", 1L), ("activation", "LeakyRelu"), ("activation_alpha", 0.2))
                .Weight("bias5", [5], Values(5, 7)),
            "FusedConv" => m.Node("Reshape", ["x", "shape"], ["r"]).Ints("shape", 0, 3, 2, 2).Weight("k", [2, 3, 1, 1], Values(6, 8))
                .DomainNode(Microsoft, op, ["r", "k"], ["y"], ("activation", "Relu")),
            "SkipLayerNormalization" => m.DomainNode(Microsoft, op, ["x", "skip", "gamma", "beta", "bias"], ["y", "", "", "sum"], ("epsilon", 1e-5)),
            // ONNX Runtime registers RMS normalisation in the default domain.
            "SimplifiedLayerNormalization" => m.DomainNode("", op, ["x", "gamma"], ["y"], ("epsilon", 1e-6), ("axis", -1L)),
            _ => m.DomainNode(Microsoft, op, ["x", "skip", "gamma"], ["y"], ("epsilon", 1e-6)),
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_expansion_computes_what_onnx_runtime_computes(string op)
    {
        foreach (long opset in new long[] { 14, 17 })
        {
            var m = Build(op, opset).Output("y");
            if (op == "SkipLayerNormalization") m.Output("sum");
            string path = m.Save();
            var file = OnnxModelFile.Load(path);
            Assert.Equal(op.StartsWith("FusedMatMul") ? "FusedMatMul" : op, Assert.Single(file.ExpandedOperators).Key);
            Assert.DoesNotContain(file.Graph.Nodes, n => n.Domain == Microsoft || n.OpType == op);
            var x = Values(2 * 12, 9).Select(v => (float)v).ToArray();
            string[] outputs = op == "SkipLayerNormalization" ? ["y", "sum"] : ["y"];
            using var fused = OnnxSession.Create(File.ReadAllBytes(path), path, ExecutionDevice.Cpu, exactGraph: true);
            using var expanded = OnnxSession.Create(file.ToBytes(), path, ExecutionDevice.Cpu, exactGraph: true);
            var expected = fused.Run([new TensorInput("x", x, [2, 3, 4])], outputs);
            var actual = expanded.Run([new TensorInput("x", x, [2, 3, 4])], outputs);
            for (int o = 0; o < outputs.Length; o++)
            {
                Assert.Equal(expected[o].Shape, actual[o].Shape);
                for (int i = 0; i < expected[o].Data.Length; i++)
                    Assert.True(Math.Abs(expected[o].Data[i] - actual[o].Data[i]) <= 2e-4 * (1 + Math.Abs(expected[o].Data[i])),
                        $"opset {opset}, {outputs[o]}[{i}]: ONNX Runtime {expected[o].Data[i]}, expansion {actual[o].Data[i]}");
            }
        }
    }

    [Fact]
    public void A_fused_operator_without_an_expansion_is_refused_by_name()
    {
        string path = new TinyModel(14).Input("x", 1, 3, 4).Weight("w", [4, 12], Values(48, 1)).Weight("b", [12], Values(12, 2))
            .DomainNode(Microsoft, "Attention", ["x", "w", "b"], ["y"], ("num_heads", 2L)).Output("y").Save();
        var error = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.Contains("node 'attention0' (com.microsoft:Attention): this fused operator is not supported; Analyzer expands BiasGelu, FastGelu", error.Message);
    }
}
