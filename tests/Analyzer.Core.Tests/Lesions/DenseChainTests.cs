using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

[Collection(LesionCollection.Name)]
public class DenseChainTests
{
    private static double[] Values(Random rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    /// <summary>x [1 x 4] -> fc1 Gemm (transB, bias) = "h1" -> Relu -> fc2 MatMul -> Add b2 -> Relu -> fc3 Gemm (no bias, beta
    /// unused) -> then <paramref name="tail"/> ("none": fc3 is the output; "softmax"; "branch": fc2's output also feeds
    /// the last Add).</summary>
    private static (ModelNetwork Network, double[] W2, double[] B2, double[] W3) Mlp(string tail)
    {
        var rng = new Random(3);
        double[] w1 = Values(rng, 6 * 4), b1 = Values(rng, 6), w2 = Values(rng, 6 * 5), b2 = Values(rng, 5), w3 = Values(rng, 5 * 3);
        var model = new TinyModel()
            .Input("x", 1, 4)
            .Weight("W1", [6, 4], w1).Weight("b1", [6], b1)
            .Weight("W2", [6, 5], w2).Weight("b2", [1, 5], b2)
            .Weight("W3", [5, 3], w3)
            .Node("Gemm", ["x", "W1", "b1"], ["h1"], "fc1", ("transB", 1L))
            .Node("Relu", ["h1"], ["r1"])
            .Node("MatMul", ["r1", "W2"], ["m2"], "fc2")
            .Node("Add", ["m2", "b2"], ["h2"])
            .Node("Relu", ["h2"], ["r2"])
            .Node("Gemm", ["r2", "W3"], ["h3"], "fc3", ("beta", 0.5));
        model = tail switch
        {
            "softmax" => model.Node("Softmax", ["h3"], ["y"]).Output("y"),
            "branch" => model.Weight("P", [5, 3], Values(rng, 15)).Node("MatMul", ["h2", "P"], ["side"]).Node("Add", ["h3", "side"], ["y"]).Output("y"),
            _ => model.Output("h3"),
        };
        return (ModelNetwork.Load(model.Save()), w2, b2, w3);
    }

    [Fact]
    public void A_chain_of_dense_layers_and_rectifiers_is_the_forward_pass()
    {
        var (network, w2, b2, w3) = Mlp("none");
        var chain = DenseChain.After(network, "h1", "h3");
        Assert.NotNull(chain);
        Assert.Equal((6, 3), (chain!.Inputs, chain.Outputs));
        // 3 lesions x 5 examples of fc1's outputs, lesion-major.
        var rng = new Random(9);
        var input = Values(rng, 15 * 6).Select(v => (float)v).ToArray();
        var output = chain.Run(3, 5, (first, count, rows) =>
        {
            for (int l = 0; l < 3; l++) input.AsSpan((l * 5 + first) * 6, count * 6).CopyTo(rows.Slice(l * count * 6));
        });
        for (int row = 0; row < 15; row++)
        {
            // relu -> x W2 + b2 -> relu -> x W3 (fc3's missing C adds nothing whatever beta is), in double.
            var r1 = Enumerable.Range(0, 6).Select(f => Math.Max(0, (double)input[row * 6 + f])).ToArray();
            var r2 = Enumerable.Range(0, 5).Select(j => Math.Max(0, b2[j] + Enumerable.Range(0, 6).Sum(f => r1[f] * w2[f * 5 + j]))).ToArray();
            for (int k = 0; k < 3; k++)
                Assert.Equal(Enumerable.Range(0, 5).Sum(j => r2[j] * w3[j * 3 + k]), output[row * 3 + k], 1e-5);
        }
    }

    [Theory]
    [InlineData("softmax")]
    [InlineData("branch")]
    public void Anything_else_before_the_output_leaves_the_layers_to_onnx_runtime(string tail)
    {
        var (network, _, _, _) = Mlp(tail);
        Assert.Null(DenseChain.After(network, "h1", network.Graph.Outputs[0].Name));
    }

    /// <summary>x [1 x 2] -> fc1 (identity) = "h1" -> Relu -> fc2: W2 = [[1, 2], [3, 4]], C of the given shape and values,
    /// beta 0.5.</summary>
    private static ModelNetwork Bias(long[] shape, double[] c) => ModelNetwork.Load(new TinyModel()
        .Input("x", 1, 2)
        .Weight("W1", [2, 2], 1, 0, 0, 1).Weight("W2", [2, 2], 1, 2, 3, 4).Weight("C", shape, c)
        .Node("Gemm", ["x", "W1"], ["h1"], "fc1")
        .Node("Relu", ["h1"], ["r1"])
        .Node("Gemm", ["r1", "W2", "C"], ["y"], "fc2", ("beta", 0.5))
        .Output("y")
        .Save());

    [Theory]
    [InlineData(new long[] { 1 }, new[] { 2.0 }, 1.0, 1.0)]                  // one value for every output: beta·c
    [InlineData(new long[] { 1, 2 }, new[] { 2.0, -4.0 }, 1.0, -2.0)]        // one row
    public void Gemms_constant_addend_becomes_the_bias(long[] shape, double[] c, double b0, double b1)
    {
        var chain = DenseChain.After(Bias(shape, c), "h1", "y")!;
        // fc1's outputs (3, -1) read as (3, 0) after the ReLU: y = (3·1 + b0, 3·2 + b1).
        float[] h1 = [3, -1];
        var y = chain.Run(1, 1, (_, _, rows) => h1.CopyTo(rows));
        Assert.Equal([(float)(3 + b0), (float)(6 + b1)], y);
    }

    [Fact]
    public void A_bias_that_differs_between_rows_leaves_the_layers_to_onnx_runtime() =>
        Assert.Null(DenseChain.After(Bias([2, 2], [1, 2, 3, 4]), "h1", "y"));

    [Fact]
    public void The_sparse_suffix_gives_the_onnx_runtime_suffixs_accuracies_on_the_committed_mlp()
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-mlp.onnx"));
        Assert.NotNull(DenseChain.After(network, "/fc2/Gemm_output_0", network.Graph.Outputs[0].Name)); // fc3, fc4, out
        var rng = new Random(21);
        var pixels = new byte[500 * 784];
        rng.NextBytes(pixels);
        var data = new Analyzer.Core.Datasets.ImageDataset("random", pixels, Enumerable.Range(0, 500).Select(_ => rng.Next(10)).ToArray(), 1, 28, 28, 10);
        var sets = network.Neurons.NodeSets.Where(s => s.Analysed).SelectMany(s => Enumerable.Range(0, 6).Select(i =>
            new LesionSet($"{s.Name}/{i}", s.Index, Enumerable.Range(0, s.Units).Where(_ => rng.NextDouble() < 0.15).ToArray()))).ToList();
        var options = new LesionOptions { Device = ExecutionDevice.Cpu, OutputChange = true, ChunkSize = 200 };
        using var onnx = new LesionEngine(network, data, options with { SparseSuffix = false });
        using var own = new LesionEngine(network, data, options);
        onnx.Baseline();
        own.Baseline();
        var expected = onnx.Evaluate(sets);
        var actual = own.Evaluate(sets);
        for (int i = 0; i < sets.Count; i++)
        {
            // Summation order differs: a prediction whose top logits tie to ~1e-6 may flip (none does here).
            Assert.Equal(expected[i].ClassAccuracy, actual[i].ClassAccuracy);
            Assert.Equal(expected[i].OutputChange, actual[i].OutputChange, Math.Abs(expected[i].OutputChange) * 1e-4);
        }
    }
}
