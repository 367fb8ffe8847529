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
            AssertSame(path, [2, 3, 4], op == "SkipLayerNormalization" ? ["y", "sum"] : ["y"]);
        }
    }

    /// <summary>Runs the fused model and its expansion on the same x of <paramref name="shape"/> and compares
    /// <paramref name="outputs"/>.</summary>
    private static void AssertSame(string path, long[] shape, params string[] outputs)
    {
        var file = OnnxModelFile.Load(path);
        var x = Values((int)shape.Aggregate(1L, (a, d) => a * d), 9).Select(v => (float)v).ToArray();
        using var fused = OnnxSession.Create(File.ReadAllBytes(path), path, ExecutionDevice.Cpu, exactGraph: true);
        using var expanded = OnnxSession.Create(file.ToBytes(), path, ExecutionDevice.Cpu, exactGraph: true);
        var expected = fused.Run([new TensorInput("x", x, shape)], outputs);
        var actual = expanded.Run([new TensorInput("x", x, shape)], outputs);
        for (int o = 0; o < outputs.Length; o++)
        {
            Assert.Equal(expected[o].Shape, actual[o].Shape);
            for (int i = 0; i < expected[o].Data.Length; i++)
                Assert.True(Math.Abs(expected[o].Data[i] - actual[o].Data[i]) <= 2e-4 * (1 + Math.Abs(expected[o].Data[i])),
                    $"{outputs[o]}[{i}]: ONNX Runtime {expected[o].Data[i]}, expansion {actual[o].Data[i]}");
        }
    }

    [Theory]
    [InlineData("none", 0L)]
    [InlineData("raw", 0L)]
    [InlineData("lengths", 0L)]
    [InlineData("none", 1L)]
    public void Attention_expands_to_what_onnx_runtime_computes(string mask, long unidirectional)
    {
        // Two heads over a hidden size of 8; the masks hide the last key of example 0 and the last two of example 1.
        var m = new TinyModel(14).Input("x", 1, 4, 8).Weight("w", [8, 24], Values(192, 1)).Weight("b", [24], Values(24, 2));
        var inputs = new List<string> { "x", "w", "b" };
        if (mask == "raw") m.Ints("raw", 1, 1, 1, 0, 1, 1, 0, 0).Node("Reshape", ["raw", "shape"], ["raw2"]).Ints("shape", 2, 4).Node("Cast", ["raw2"], ["m"], null, ("to", 6L));
        if (mask == "lengths") m.Ints("lengths", 3, 2).Node("Cast", ["lengths"], ["m"], null, ("to", 6L));
        if (mask != "none") inputs.Add("m");
        m.DomainNode(Microsoft, "Attention", [.. inputs], ["y"], ("num_heads", 2L), ("unidirectional", unidirectional)).Output("y");
        string path = m.Save();
        Assert.True(OnnxModelFile.Load(path).ExpandedOperators.ContainsKey("Attention"));
        AssertSame(path, [2, 4, 8], "y");
    }

    [Fact]
    public void Embed_layer_normalisation_expands_to_what_onnx_runtime_computes()
    {
        // Word, position and segment embeddings of ids [2, 4], layer-normalised; the mask index counts unmasked positions.
        var m = new TinyModel(14).Input("x", 1, 4, 8)
            .Weight("words", [10, 8], Values(80, 1)).Weight("positions", [6, 8], Values(48, 2)).Weight("segments", [2, 8], Values(16, 3))
            .Weight("gamma", [8], Values(8, 4)).Weight("beta", [8], Values(8, 5))
            .Ints("ids64", 3, 1, 4, 1, 5, 9, 2, 6).Ints("seg64", 0, 0, 1, 1, 0, 1, 1, 1).Ints("mask64", 1, 1, 1, 0, 1, 1, 0, 0).Ints("shape", 2, 4);
        foreach (string t in new[] { "ids", "seg", "mask" })
            m.Node("Reshape", [$"{t}64", "shape"], [$"{t}2"]).Node("Cast", [$"{t}2"], [t], null, ("to", 6L));
        m.DomainNode(Microsoft, "EmbedLayerNormalization", ["ids", "seg", "words", "positions", "segments", "gamma", "beta", "mask"],
                ["e", "count"], ("epsilon", 1e-12))
            .Node("Add", ["e", "x"], ["y"]).Node("Cast", ["count"], ["c"], null, ("to", 1L)).Output("y").Output("c");
        string path = m.Save();
        Assert.True(OnnxModelFile.Load(path).ExpandedOperators.ContainsKey("EmbedLayerNormalization"));
        AssertSame(path, [2, 4, 8], "y", "c");
    }

    [Theory]
    [InlineData(14L)]
    [InlineData(17L)]
    public void A_com_microsoft_layer_normalisation_computes_the_standard_one(long opset)
    {
        // ONNX Runtime no longer runs the com.microsoft form: the reference is its standard LayerNormalization (opset 17).
        string Model(string domain, long version) => new TinyModel(version).Input("x", 1, 4, 8)
            .Weight("gamma", [8], Values(8, 2)).Weight("beta", [8], Values(8, 3))
            .DomainNode(domain, "LayerNormalization", ["x", "gamma", "beta"], ["y"], ("epsilon", 1e-5), ("axis", -1L)).Output("y").Save();
        string fused = Model(Microsoft, opset), standard = Model("", 17);
        var file = OnnxModelFile.Load(fused);
        Assert.Equal("LayerNormalization", Assert.Single(file.ExpandedOperators).Key);
        var x = Values(64, 9).Select(v => (float)v).ToArray();
        using var reference = OnnxSession.Create(File.ReadAllBytes(standard), standard, ExecutionDevice.Cpu, exactGraph: true);
        using var expanded = OnnxSession.Create(file.ToBytes(), fused, ExecutionDevice.Cpu, exactGraph: true);
        var expected = reference.Run([new TensorInput("x", x, [2, 4, 8])], ["y"])[0].Data;
        var actual = expanded.Run([new TensorInput("x", x, [2, 4, 8])], ["y"])[0].Data;
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Fact]
    public void A_fused_operator_without_an_expansion_is_refused_by_name()
    {
        string path = new TinyModel(14).Input("x", 1, 3, 4).Weight("w", [4, 12], Values(48, 1))
            .DomainNode(Microsoft, "MultiHeadAttention", ["x", "w"], ["y"], ("num_heads", 2L)).Output("y").Save();
        var error = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.Contains("node 'multiheadattention0' (com.microsoft:MultiHeadAttention): this fused operator is not supported; Analyzer expands Attention, BiasGelu", error.Message);
    }
}
