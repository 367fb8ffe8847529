using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

[Collection(LesionCollection.Name)]
public class ConvChainTests
{
    private static double[] Values(Random rng, int count) => Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

    /// <summary>x [1, 2, 6, 6] -> conv1 3x3 pad 1 (3 channels) = "h1" -> Relu -> MaxPool 2x2 -> conv2 3x3 pad 1 (4 channels)
    /// -> Relu -> MaxPool <paramref name="pool"/> (<paramref name="pixels"/> pixels out) -> Flatten -> Gemm (transB) -> Relu
    /// -> Gemm = "y" [1, 2].</summary>
    private static (ModelNetwork Network, double[] K2, double[] C2, double[] W3, double[] B3, double[] W4, double[] B4) Cnn(
        (string Name, object Value)[]? pool = null, int pixels = 4)
    {
        var rng = new Random(5);
        double[] k1 = Values(rng, 3 * 2 * 9), c1 = Values(rng, 3), k2 = Values(rng, 4 * 3 * 9), c2 = Values(rng, 4);
        pool ??= [("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 1, 1 })];
        // By default conv2's 3 x 3 maps pooled 2 x 2 at stride 1: 2 x 2 maps of 4 channels, 16 features.
        double[] w3 = Values(rng, 5 * 4 * pixels), b3 = Values(rng, 5), w4 = Values(rng, 2 * 5), b4 = Values(rng, 2);
        var model = new TinyModel()
            .Input("x", 1, 2, 6, 6)
            .Weight("K1", [3, 2, 3, 3], k1).Weight("c1", [3], c1).Weight("K2", [4, 3, 3, 3], k2).Weight("c2", [4], c2)
            .Weight("W3", [5, 4 * pixels], w3).Weight("b3", [5], b3).Weight("W4", [2, 5], w4).Weight("b4", [2], b4)
            .Node("Conv", ["x", "K1", "c1"], ["h1"], "conv1", ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["h1"], ["r1"])
            .Node("MaxPool", ["r1"], ["p1"], "pool1", ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("Conv", ["p1", "K2", "c2"], ["h2"], "conv2", ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("Relu", ["h2"], ["r2"])
            .Node("MaxPool", ["r2"], ["p2"], "pool2", pool)
            .Node("Flatten", ["p2"], ["f"], "flatten", ("axis", 1L))
            .Node("Gemm", ["f", "W3", "b3"], ["h3"], "fc1", ("transB", 1L))
            .Node("Relu", ["h3"], ["r3"])
            .Node("Gemm", ["r3", "W4", "b4"], ["y"], "fc2", ("transB", 1L))
            .Output("y");
        return (ModelNetwork.Load(model.Save()), k2, c2, w3, b3, w4, b4);
    }

    [Fact]
    public void A_chain_of_pools_convs_and_dense_layers_is_the_forward_pass()
    {
        var (network, k2, c2, w3, b3, w4, b4) = Cnn();
        var chain = ConvChain.After(network, "h1", "y");
        Assert.NotNull(chain);
        Assert.Equal((6, 6, 3, 2), (chain!.Height, chain.Width, chain.Channels, chain.Outputs));
        // 2 lesions x 3 examples of conv1's outputs, given pixel-major; the model's layers in double on them, NCHW.
        var rng = new Random(11);
        var maps = Enumerable.Range(0, 6).Select(_ => Values(rng, 6 * 6 * 3).Select(v => (float)v).ToArray()).ToArray();
        var output = chain.Run(2, 3, (e, lesions, into) =>
        {
            for (int l = 0; l < lesions; l++) maps[l * 3 + e].CopyTo(into.Slice(l * chain.MapSize));
        });
        for (int row = 0; row < 6; row++)
        {
            double At(int c, int y, int x) => maps[row][(y * 6 + x) * 3 + c];
            // ReLU, 2 x 2 max-pool: [3, 3, 3].
            var p1 = new double[3, 3, 3];
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 3; y++)
                    for (int x = 0; x < 3; x++)
                        p1[c, y, x] = Math.Max(0, new[] { At(c, 2 * y, 2 * x), At(c, 2 * y, 2 * x + 1), At(c, 2 * y + 1, 2 * x), At(c, 2 * y + 1, 2 * x + 1) }.Max());
            // conv2 (pad 1), ReLU: [4, 3, 3]; max-pool 2 x 2 at stride 1: [4, 2, 2]; flattened channel-major.
            var h2 = new double[4, 3, 3];
            for (int o = 0; o < 4; o++)
                for (int y = 0; y < 3; y++)
                    for (int x = 0; x < 3; x++)
                    {
                        double sum = c2[o];
                        for (int c = 0; c < 3; c++)
                            for (int ky = 0; ky < 3; ky++)
                                for (int kx = 0; kx < 3; kx++)
                                    if (y + ky - 1 is >= 0 and < 3 && x + kx - 1 is >= 0 and < 3)
                                        sum += p1[c, y + ky - 1, x + kx - 1] * k2[((o * 3 + c) * 3 + ky) * 3 + kx];
                        h2[o, y, x] = Math.Max(0, sum);
                    }
            var flat = new double[16];
            for (int o = 0; o < 4; o++)
                for (int y = 0; y < 2; y++)
                    for (int x = 0; x < 2; x++)
                        flat[o * 4 + y * 2 + x] = new[] { h2[o, y, x], h2[o, y, x + 1], h2[o, y + 1, x], h2[o, y + 1, x + 1] }.Max();
            var h3 = Enumerable.Range(0, 5).Select(j => Math.Max(0, b3[j] + Enumerable.Range(0, 16).Sum(f => flat[f] * w3[j * 16 + f]))).ToArray();
            for (int k = 0; k < 2; k++)
                Assert.Equal(b4[k] + Enumerable.Range(0, 5).Sum(j => h3[j] * w4[k * 5 + j]), output[row * 2 + k], 1e-5);
        }
    }

    [Fact]
    public void A_pool_it_does_not_run_leaves_the_layers_to_onnx_runtime()
    {
        // Padded, or keeping a partial window (ceil_mode): ONNX Runtime's.
        Assert.Null(ConvChain.After(Cnn([("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 1, 1, 0, 0 })], 9).Network, "h1", "y"));
        Assert.Null(ConvChain.After(Cnn([("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L)], 4).Network, "h1", "y"));
        Assert.Null(ConvChain.After(Cnn([("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("dilations", new long[] { 2, 2 })], 1).Network, "h1", "y"));
        // The unpadded floor-rounded form is the engine's.
        Assert.NotNull(ConvChain.After(Cnn([("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 })], 1).Network, "h1", "y"));
    }

    [Fact]
    public void The_sparse_suffix_gives_the_onnx_runtime_suffixs_accuracies_on_the_committed_cnn()
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-cnn.onnx"));
        // conv2 (reading conv1's channels): pool, conv3, pool, fc1, out; conv3 (reading conv2's): pool, fc1, out.
        Assert.NotNull(ConvChain.After(network, "/conv2/Conv_output_0", network.Graph.Outputs[0].Name));
        Assert.NotNull(ConvChain.After(network, "/conv3/Conv_output_0", network.Graph.Outputs[0].Name));
        var rng = new Random(23);
        var pixels = new byte[300 * 784];
        rng.NextBytes(pixels);
        var data = new Analyzer.Core.Datasets.ImageDataset("random", pixels, Enumerable.Range(0, 300).Select(_ => rng.Next(10)).ToArray(), 1, 28, 28, 10);
        var sets = network.Neurons.NodeSets.Where(s => s.Analysed).SelectMany(s => Enumerable.Range(0, 9).Select(i =>
            new LesionSet($"{s.Name}/{i}", s.Index, Enumerable.Range(0, s.Units).Where(_ => rng.NextDouble() < 0.1 * (1 + i % 3)).ToArray()))).ToList();
        var options = new LesionOptions { Device = ExecutionDevice.Cpu, OutputChange = true, ChunkSize = 120 };
        using var onnx = new LesionEngine(network, data, options);
        using var own = new LesionEngine(network, data, options with { SparseConvSuffix = true });
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
