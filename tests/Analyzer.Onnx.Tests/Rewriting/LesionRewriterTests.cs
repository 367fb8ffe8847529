using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;
using Analyzer.Onnx.Shapes;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests.Rewriting;

/// <summary>
/// The lesion rewriter against independent oracles: a unit removed by its mask is a unit whose outgoing weights are zero
/// (a second, plain model), the two halves of a cut compose to the whole, and the low-rank suffixes (after a dense reader's
/// rebuilt output, and the grouped conv of the removed channels) give what the masked model gives, lesion by lesion.
/// </summary>
public class LesionRewriterTests
{
    // A three-layer MLP: x[3] -> fc1 (4) -> ReLU -> fc2 (3) -> ReLU -> fc3 (2). Node indices: fc1 0, relu 1, fc2 2, relu 3, fc3 4.
    private static readonly double[] W1 = [0.5, -1, 2, 1, 0.25, -0.5, -1.5, 1, 0.75, 0.2, 0.3, -0.4];
    private static readonly double[] W2 = [1, -0.5, 0.25, 2, -1, 0.5, 1.5, -0.25, 0.3, 0.7, -0.9, 1.1];
    private static readonly double[] W3 = [0.6, -0.2, 1.3, -0.7, 0.4, 0.9];

    /// <summary>The MLP, with fc2's weights on the given hidden units of fc1 set to zero.</summary>
    private static string Mlp(params int[] removed)
    {
        var w2 = (double[])W2.Clone();
        foreach (int u in removed)
            for (int j = 0; j < 3; j++) w2[j * 4 + u] = 0;
        return new TinyModel().Input("x", 1, 3)
            .Weight("W1", [4, 3], W1).Weight("W2", [3, 4], w2).Weight("W3", [2, 3], W3)
            .Node("Gemm", ["x", "W1"], ["h1"], "fc1", ("transB", 1L)).Node("Relu", ["h1"], ["r1"])
            .Node("Gemm", ["r1", "W2"], ["h2"], "fc2", ("transB", 1L)).Node("Relu", ["h2"], ["r2"])
            .Node("Gemm", ["r2", "W3"], ["y"], "fc3", ("transB", 1L)).Output("y")
            .Save();
    }

    private static readonly float[] X = [0.3f, -1.2f, 0.8f, 1.5f, 0.1f, -0.4f, -0.7f, 0.9f, 2.0f];

    private static float[] Run(byte[] model, IReadOnlyList<TensorInput> inputs, string output)
    {
        using var session = OnnxSession.Create(model, "test", ExecutionDevice.Cpu);
        return session.Run(inputs, [output])[0].Data;
    }

    private static (LesionRewriter Rewriter, OnnxModelFile File) Rewriter(string path)
    {
        var file = OnnxModelFile.Load(path);
        return (new LesionRewriter(file, [new MaskPoint("mask", 2, 4, 2, null)], ShapeInference.Infer(file.Graph)), file);
    }

    private static TensorInput Mask(int rows, params int[] removed)
    {
        var mask = new float[rows * 4];
        for (int r = 0; r < rows; r++)
            for (int u = 0; u < 4; u++) mask[r * 4 + u] = removed.Contains(u) ? 0 : 1;
        return new TensorInput("mask", mask, [rows, 4]);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 0, 3 })]
    public void A_masked_unit_reads_as_a_unit_whose_outgoing_weights_are_zero(int[] removed)
    {
        var (rewriter, _) = Rewriter(Mlp());
        var masked = Run(rewriter.Full().Bytes, [new TensorInput("x", X, [3, 3]), Mask(3, removed)], "y");
        var plain = Run(File.ReadAllBytes(Mlp(removed)), [new TensorInput("x", X, [3, 3])], "y");
        Assert.Equal(plain.Length, masked.Length);
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], masked[i], 1e-5f);
    }

    [Fact]
    public void The_two_halves_of_a_cut_compose_to_the_masked_model()
    {
        var (rewriter, _) = Rewriter(Mlp());
        var cut = rewriter.CutBefore(2);
        Assert.Equal(["x"], cut.Prefix.Inputs);
        var frontier = Run(cut.Prefix.Bytes, [new TensorInput("x", X, [3, 3])], cut.Frontier[0]);
        Assert.Equal(["r1"], cut.Frontier);
        var composed = Run(cut.Suffix.Bytes, [new TensorInput("r1", frontier, [3, 4]), Mask(3, 2)], "y");
        var whole = Run(rewriter.Full().Bytes, [new TensorInput("x", X, [3, 3]), Mask(3, 2)], "y");
        for (int i = 0; i < whole.Length; i++) Assert.Equal(whole[i], composed[i], 1e-6f);
    }

    [Fact]
    public void The_suffix_after_a_dense_reader_gives_every_lesion_of_the_masked_model_from_its_rebuilt_output()
    {
        var (rewriter, _) = Rewriter(Mlp());
        // Two lesions of two units each over the same three rows: {0, 2} and {1, 3}.
        int[][] lesions = [[0, 2], [1, 3]];
        // The prefix up to the reader (fc2, unlesioned: mask of ones) gives the reader's input and its output y0.
        var cut = rewriter.CutBefore(3, ["r1"]);
        var x = new TensorInput("x", X, [3, 3]);
        Assert.Equal(["x", "mask"], cut.Prefix.Inputs);
        var r1 = Run(cut.Prefix.Bytes, [x, Mask(3)], "r1");
        var y0 = Run(cut.Prefix.Bytes, [x, Mask(3)], "h2");
        // fc2's output without the lesioned units, by hand, stacked lesion-major.
        var stacked = new float[2 * 3 * 3];
        for (int l = 0; l < 2; l++)
            for (int row = 0; row < 3; row++)
                for (int j = 0; j < 3; j++)
                    stacked[(l * 3 + row) * 3 + j] = y0[row * 3 + j] - lesions[l].Sum(u => r1[row * 4 + u] * (float)W2[j * 4 + u]);
        var suffix = rewriter.AfterReader(2)!;
        Assert.Equal(["h2"], suffix.Inputs); // the masks after the reader are gone
        var outputs = Run(suffix.Bytes, [new TensorInput("h2", stacked, [6, 3])], "y");
        Assert.Equal(2 * 3 * 2, outputs.Length);
        for (int l = 0; l < 2; l++)
        {
            var masked = Run(rewriter.Full().Bytes, [x, Mask(3, lesions[l])], "y");
            for (int i = 0; i < masked.Length; i++) Assert.Equal(masked[i], outputs[l * masked.Length + i], 1e-5f);
        }
        // After the last layer nothing follows.
        Assert.Null(rewriter.AfterReader(4));
    }

    // A CNN: x[1, 5, 5] -> conv1 (2 channels, 3x3, pad 1) -> ReLU -> conv2 (3 channels, 3x3) -> GlobalAveragePool -> y.
    private static readonly double[] K1 = Enumerable.Range(0, 18).Select(i => Math.Sin(i + 1)).ToArray();
    private static readonly double[] K2 = Enumerable.Range(0, 54).Select(i => Math.Cos(0.7 * i)).ToArray();

    /// <param name="reluAfter">A ReLU after conv2 (before the pooling), which a single-lesion suffix fuses into its conv.</param>
    private static string Cnn(int removedChannel = -1, bool reluAfter = false)
    {
        var k2 = (double[])K2.Clone();
        if (removedChannel >= 0)
            for (int o = 0; o < 3; o++)
                for (int k = 0; k < 9; k++) k2[(o * 2 + removedChannel) * 9 + k] = 0;
        return new TinyModel().Input("x", 1, 1, 5, 5)
            .Weight("K1", [2, 1, 3, 3], K1).Weight("K2", [3, 2, 3, 3], k2)
            .Node("Conv", ["x", "K1"], ["c1"], "conv1", ("pads", new long[] { 1, 1, 1, 1 })).Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "K2"], ["c2"], "conv2").Node(reluAfter ? "Relu" : "Identity", ["c2"], ["r2"])
            .Node("GlobalAveragePool", ["r2"], ["y"]).Output("y")
            .Save();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_masked_channel_and_the_grouped_conv_suffix_read_as_a_channel_whose_kernels_are_zero(bool reluAfter)
    {
        var file = OnnxModelFile.Load(Cnn(reluAfter: reluAfter));
        var rewriter = new LesionRewriter(file, [new MaskPoint("mask", 2, 2, 4, null)], ShapeInference.Infer(file.Graph));
        var pixels = Enumerable.Range(0, 2 * 25).Select(i => (float)Math.Sin(0.3 * i)).ToArray();
        var x = new TensorInput("x", pixels, [2, 1, 5, 5]);
        var masked = Run(rewriter.Full().Bytes, [x, new TensorInput("mask", [1, 0, 1, 0], [2, 2])], "y");
        var plain = Run(File.ReadAllBytes(Cnn(removedChannel: 1, reluAfter: reluAfter)), [x], "y");
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], masked[i], 1e-5f);

        // The same lesion as one grouped conv of the removed channel (one lesion of rank 1, group 1).
        var cut = rewriter.CutBefore(3, ["r1"]);
        var ones = new TensorInput("mask", [1, 1, 1, 1], [2, 2]);
        var r1 = Run(cut.Prefix.Bytes, [x, ones], "r1");
        var c2 = Run(cut.Prefix.Bytes, [x, ones], "c2");
        var removedInput = new float[2 * 25];
        for (int row = 0; row < 2; row++) Array.Copy(r1, row * 50 + 25, removedInput, row * 25, 25);
        var kernel = Enumerable.Range(0, 3).SelectMany(o => K2.Skip((o * 2 + 1) * 9).Take(9)).Select(v => (float)v).ToArray();
        // Without a group attribute the general form (reshaped, lesion-major); with group 1 the single-lesion form (y0 +
        // conv(xu, −wu), no reshapes).
        foreach (var attributes in new[] { [("kernel_shape", [3, 3], null)], new (string, long[], string?)[] { ("kernel_shape", [3, 3], null), ("group", [1], null) } })
        {
            var suffix = rewriter.LowRankConvSuffix(2, attributes);
            // With group 1 and a ReLU after the reader, that ReLU is computed inside ONNX Runtime's FusedConv.
            bool fusedExpected = reluAfter && attributes.Length == 2;
            Assert.Equal(fusedExpected, Protos.ModelProto.Parser.ParseFrom(suffix.Bytes).Graph.Node.Any(n => n.Domain == "com.microsoft"));
            var lesioned = Run(suffix.Bytes, [new TensorInput(LesionRewriter.BaseOutput, c2, [2, 3, 3, 3]),
                new TensorInput(LesionRewriter.RemovedInputs, removedInput, [2, 1, 5, 5]), new TensorInput(LesionRewriter.RemovedWeights, kernel, [3, 1, 3, 3]),
                TensorInput.Int64(LesionRewriter.StackedShape, [2, 1, 3, 3, 3]), TensorInput.Int64(LesionRewriter.FlatShape, [2, 3, 3, 3])], "y");
            for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], lesioned[i], 1e-5f);
        }
    }
}
