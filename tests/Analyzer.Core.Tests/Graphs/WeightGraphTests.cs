using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>Weight graphs of tiny hand-built models, checked against adjacency worked out by hand (docs/method.md §1-2).</summary>
public partial class WeightGraphTests
{
    private static (NeuronGraph Neurons, DenseGraph Graph) Build(TinyModel model)
    {
        var network = ModelNetwork.Load(model.Save());
        var graph = WeightGraph.Build(network.Neurons);
        return (network.Neurons, new DenseGraph(graph.N, graph.ToDense()));
    }

    /// <summary>Asserts the graph has exactly these undirected edges (i, j, weight) and nothing else.</summary>
    private static void AssertEdges(DenseGraph graph, int n, params (int I, int J, double W)[] edges)
    {
        Assert.Equal(n, graph.N);
        var expected = new double[n * n];
        foreach (var (i, j, w) in edges)
        {
            expected[i * n + j] = w;
            expected[j * n + i] = w;
        }
        Tolerance.Float32Weights.AssertAll(graph.Adjacency, expected, "adjacency");
    }

    // fc1: W1 = [[1,-2],[3,4],[-5,6]] (3 outputs x 2 inputs); fc2: W2 = [[1,0,-1],[2,2,2]].
    // Nodes: in0 in1 | h0 h1 h2 | o0 o1.
    private static readonly (int, int, double)[] MlpEdges =
    [
        (0, 2, 1), (1, 2, 2), (0, 3, 3), (1, 3, 4), (0, 4, 5), (1, 4, 6),
        (2, 5, 1), (3, 5, 0), (4, 5, 1), (2, 6, 2), (3, 6, 2), (4, 6, 2),
    ];

    [Fact]
    public void Gemm_with_transB_joins_consecutive_layers_by_absolute_weights()
    {
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [3, 2], 1, -2, 3, 4, -5, 6)
            .Weight("W2", [2, 3], 1, 0, -1, 2, 2, 2)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
            .Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L))
            .Output("y"));
        Assert.Equal(NetworkKind.Mlp, neurons.Kind);
        Assert.Equal(["x", "fc1", "fc2"], neurons.NodeSets.Select(s => s.Name));
        Assert.Equal([NodeSetKind.Input, NodeSetKind.Hidden, NodeSetKind.Output], neurons.NodeSets.Select(s => s.Kind));
        AssertEdges(graph, 7, MlpEdges);
    }

    [Fact]
    public void Gemm_without_transB_reads_the_weight_as_inputs_by_outputs()
    {
        var (_, graph) = Build(new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 3], 1, 3, -5, -2, 4, 6)
            .Weight("W2", [3, 2], 1, 2, 0, 2, -1, 2)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1")
            .Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2")
            .Output("y"));
        AssertEdges(graph, 7, MlpEdges);
    }

    [Fact]
    public void MatMul_plus_Add_is_a_dense_layer()
    {
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 3], 1, 3, -5, -2, 4, 6)
            .Weight("b1", [3], 9, 9, 9)
            .Weight("W2", [3, 2], 1, 2, 0, 2, -1, 2)
            .Node("MatMul", ["x", "W1"], ["m"], "fc1")
            .Node("Add", ["m", "b1"], ["a"])
            .Node("Relu", ["a"], ["r"])
            .Node("MatMul", ["r", "W2"], ["y"], "fc2")
            .Output("y"));
        Assert.Equal(["x", "fc1", "fc2"], neurons.NodeSets.Select(s => s.Name));
        AssertEdges(graph, 7, MlpEdges);
    }

    [Fact]
    public void A_wide_MatMul_gives_every_weight_its_edge()
    {
        // 300 outputs: more than one block of outputs as the weights are read (DenseOperators.Aggregate).
        var rng = new Random(5);
        double[] w1 = Enumerable.Range(0, 2 * 300).Select(_ => Math.Round(rng.NextDouble() * 8 - 4, 2)).ToArray();
        double[] w2 = Enumerable.Range(0, 300).Select(_ => Math.Round(rng.NextDouble() * 8 - 4, 2)).ToArray();
        var (_, graph) = Build(new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 300], w1)
            .Weight("W2", [300, 1], w2)
            .Node("MatMul", ["x", "W1"], ["m"], "fc1")
            .Node("Relu", ["m"], ["r"])
            .Node("MatMul", ["r", "W2"], ["y"], "fc2")
            .Output("y"));
        var edges = new List<(int, int, double)>();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 300; j++) edges.Add((i, 2 + j, Math.Abs((float)w1[i * 300 + j])));
        for (int j = 0; j < 300; j++) edges.Add((2 + j, 302, Math.Abs((float)w2[j])));
        AssertEdges(graph, 303, [.. edges.Where(e => e.Item3 != 0)]);
    }

    [Fact]
    public void Gemm_alpha_scales_the_edges()
    {
        var (_, graph) = Build(new TinyModel()
            .Input("x", 1, 1)
            .Weight("W1", [1, 1], 3)
            .Weight("W2", [1, 1], -2)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("alpha", -0.5))
            .Node("Gemm", ["a", "W2"], ["y"], "fc2")
            .Output("y"));
        AssertEdges(graph, 3, (0, 1, 1.5), (1, 2, 2));
    }

    // conv2: 3 outputs x 2 inputs, 2x2 kernels; conv3: 2 outputs x 3 inputs, 1x1.
    private static readonly double[] K2 =
    [
        1, -1, 1, -1, /* j0 i0 -> L1 4 */  0, 0, 0, 2, /* j0 i1 -> 2 */
        0.5, 0.5, 0, 0, /* j1 i0 -> 1 */  -3, 0, 0, 0, /* j1 i1 -> 3 */
        0, 0, 0, 0, /* j2 i0 -> 0 */      1, 1, 1, 1, /* j2 i1 -> 4 */
    ];
    private static readonly double[] K3 = [1, -2, 3, 4, 5, -6];
    private static readonly double[] K4 = [1, 1, 2, -2];

    private static TinyModel ConvChain(bool bnBeforeRelu, bool bnAfterRelu) => new TinyModel()
        .Input("x", 1, 1, 5, 5)
        .Weight("K1", [2, 1, 1, 1], 1, 1)
        .Weight("K2", [3, 2, 2, 2], K2)
        .Weight("K3", [2, 3, 1, 1], K3)
        .Weight("K4", [2, 2, 1, 1], K4)
        .Weight("gamma", [3], 2, -1, 0.5).Weight("beta", [3], 0, 0, 0).Weight("mean", [3], 5, 6, 7).Weight("var", [3], 3, 0, 15)
        .Node("Conv", ["x", "K1"], ["c1"], "conv1")
        .Node("Relu", ["c1"], ["r1"])
        .Node("Conv", ["r1", "K2"], ["c2"], "conv2")
        .Node(bnBeforeRelu ? "BatchNormalization" : "Identity", bnBeforeRelu ? ["c2", "gamma", "beta", "mean", "var"] : ["c2"], ["b2"], "bn2", ("epsilon", 1.0))
        .Node("Relu", ["b2"], ["r2"])
        .Node(bnAfterRelu ? "BatchNormalization" : "Identity", bnAfterRelu ? ["r2", "gamma", "beta", "mean", "var"] : ["r2"], ["n2"], "bn3", ("epsilon", 1.0))
        .Node("Conv", ["n2", "K3"], ["c3"], "conv3")
        .Node("Relu", ["c3"], ["r3"])
        .Node("Conv", ["r3", "K4"], ["y"], "conv4")
        .Output("y");

    // BN scales with epsilon 1: gamma / sqrt(var + 1) = 2/2, -1/1, 0.5/4 = 1, -1, 0.125.
    private static readonly double[] Scale = [1, -1, 0.125];

    // Nodes: conv2-in (2) | conv3-in (3) | conv4-in (2).
    private static (int, int, double)[] ChainEdges(double[] outScale, double[] inScale) =>
    [
        (0, 2, 4 * outScale[0]), (1, 2, 2 * outScale[0]),
        (0, 3, 1 * outScale[1]), (1, 3, 3 * outScale[1]),
        (0, 4, 0 * outScale[2]), (1, 4, 4 * outScale[2]),
        (2, 5, 1 * inScale[0]), (3, 5, 2 * inScale[1]), (4, 5, 3 * inScale[2]),
        (2, 6, 4 * inScale[0]), (3, 6, 5 * inScale[1]), (4, 6, 6 * inScale[2]),
    ];

    [Fact]
    public void Conv_edges_are_entrywise_L1_norms_of_kernel_slices()
    {
        var (neurons, graph) = Build(ConvChain(false, false));
        Assert.Equal(NetworkKind.Cnn, neurons.Kind);
        Assert.Equal(["conv2", "conv3", "conv4"], neurons.NodeSets.Select(s => s.Name));
        AssertEdges(graph, 7, ChainEdges([1, 1, 1], [1, 1, 1]));
    }

    [Fact]
    public void BatchNorm_before_the_activation_scales_the_producing_layer_output_channels()
    {
        var (_, graph) = Build(ConvChain(true, false));
        AssertEdges(graph, 7, ChainEdges(Scale.Select(Math.Abs).ToArray(), [1, 1, 1]));
    }

    [Fact]
    public void BatchNorm_after_the_activation_scales_the_reading_layer_input_channels()
    {
        var (_, graph) = Build(ConvChain(false, true));
        AssertEdges(graph, 7, ChainEdges([1, 1, 1], Scale.Select(Math.Abs).ToArray()));
    }

    [Fact]
    public void Residual_block_gives_the_shortcut_its_own_node_set_and_joins_both_branches_to_the_next_reader()
    {
        // conv0 -> relu -> { conv1 -> relu -> conv2 ; convS (1x1 shortcut) } -> Add -> relu -> conv3
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 4, 4)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("K1", [2, 2, 1, 1], 1, 2, 3, 4)
            .Weight("K2", [2, 2, 1, 1], 5, 6, 7, 8)
            .Weight("KS", [2, 2, 1, 1], 10, 20, 30, 40)
            .Weight("K3", [1, 2, 1, 1], 1, 1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0")
            .Node("Relu", ["c0"], ["r0"])
            .Node("Conv", ["r0", "K1"], ["c1"], "conv1")
            .Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "K2"], ["c2"], "conv2")
            .Node("Conv", ["r0", "KS"], ["cs"], "shortcut")
            .Node("Add", ["c2", "cs"], ["sum"])
            .Node("Relu", ["sum"], ["r2"])
            .Node("Conv", ["r2", "K3"], ["y"], "conv3")
            .Output("y"));
        Assert.Equal(["conv1", "conv2", "shortcut", "conv3"], neurons.NodeSets.Select(s => s.Name));
        // Nodes: conv1-in 0,1 | conv2-in 2,3 | shortcut-in 4,5 | conv3-in 6,7.
        AssertEdges(graph, 8,
            (0, 2, 1), (1, 2, 2), (0, 3, 3), (1, 3, 4),          // conv1: conv1-in -> conv2-in
            (2, 6, 5), (3, 6, 6), (2, 7, 7), (3, 7, 8),          // conv2: conv2-in -> conv3-in
            (4, 6, 10), (5, 6, 20), (4, 7, 30), (5, 7, 40));     // shortcut: shortcut-in -> conv3-in
    }

    [Fact]
    public void Flattened_conv_features_give_the_dense_layer_one_node_per_channel()
    {
        // conv1 (2 channels, 2x2 map) -> flatten -> fc (1 output): fc's node set has 2 units, and conv1's edges reach it.
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 2, 2)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("K1", [2, 2, 1, 1], 1, -2, 3, 4)
            .Weight("W", [1, 8], 1, 1, 1, 1, 2, 2, 2, -2)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0")
            .Node("Conv", ["c0", "K1"], ["c1"], "conv1")
            .Node("Flatten", ["c1"], ["f"])
            .Node("Gemm", ["f", "W"], ["y"], "fc", ("transB", 1L))
            .Output("y"));
        Assert.Equal(["conv1", "fc"], neurons.NodeSets.Select(s => s.Name));
        Assert.Equal(2, neurons.NodeSets[1].Units);
        AssertEdges(graph, 4, (0, 2, 1), (1, 2, 2), (0, 3, 3), (1, 3, 4));
    }

    // conv2: 4 output channels from 2 input channels, 1x1, K2[j, i] = 10 j + i + 1.
    private static readonly double[] K2Shuffle = [1, 2, 11, 12, 21, 22, 31, 32];

    private static TinyModel ShuffleStem() => new TinyModel()
        .Input("x", 1, 1, 3, 3)
        .Weight("K1", [2, 1, 1, 1], 1, 1)
        .Weight("K2", [4, 2, 1, 1], K2Shuffle)
        .Node("Conv", ["x", "K1"], ["c1"], "conv1")
        .Node("Conv", ["c1", "K2"], ["c2"], "conv2");

    [Fact]
    public void A_channel_shuffle_permutes_the_reached_units()
    {
        // Reshape [1,2,2,3,3] -> Transpose [0,2,1,3,4] -> Reshape [1,4,3,3]: new channel b*2 + a holds old a*2 + b,
        // so conv3 reads old channels 0, 2, 1, 3.
        var (neurons, graph) = Build(ShuffleStem()
            .Ints("grouped", 1, 2, 2, 3, 3)
            .Ints("flat", 1, 4, 3, 3)
            .Weight("K3", [1, 4, 1, 1], 1, 1, 1, 1)
            .Node("Reshape", ["c2", "grouped"], ["g"])
            .Node("Transpose", ["g"], ["t"], attributes: [("perm", new long[] { 0, 2, 1, 3, 4 })])
            .Node("Reshape", ["t", "flat"], ["s"])
            .Node("Conv", ["s", "K3"], ["y"], "conv3")
            .Output("y"));
        Assert.Equal(["conv2", "conv3"], neurons.NodeSets.Select(s => s.Name));
        int[] old = [0, 2, 1, 3];
        var edges = new List<(int, int, double)>();
        for (int c = 0; c < 4; c++)
            for (int i = 0; i < 2; i++)
                edges.Add((i, 2 + c, K2Shuffle[old[c] * 2 + i]));
        AssertEdges(graph, 6, edges.ToArray());
    }

    [Fact]
    public void Split_channels_reach_the_readers_of_each_part()
    {
        var (neurons, graph) = Build(ShuffleStem()
            .Ints("parts", 1, 3)
            .Weight("KA", [1, 1, 1, 1], 1)
            .Weight("KB", [1, 3, 1, 1], 1, 1, 1)
            .Node("Split", ["c2", "parts"], ["a", "b"], attributes: [("axis", 1L)])
            .Node("Conv", ["a", "KA"], ["ya"], "convA")
            .Node("Conv", ["b", "KB"], ["yb"], "convB")
            .Output("ya"));
        Assert.Equal([2, 1, 3], neurons.NodeSets.Select(s => s.Units));
        // Nodes: conv2-in 0,1 | convA-in 2 (old channel 0) | convB-in 3,4,5 (old channels 1,2,3).
        AssertEdges(graph, 6,
            (0, 2, 1), (1, 2, 2),
            (0, 3, 11), (1, 3, 12), (0, 4, 21), (1, 4, 22), (0, 5, 31), (1, 5, 32));
    }

    [Fact]
    public void Concat_along_channels_keeps_each_branch_origin()
    {
        // conv2 reads 2 channels; branches convA (1 channel) and convB (2 channels) are concatenated for conv3.
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 3, 3)
            .Weight("K1", [2, 1, 1, 1], 1, 1)
            .Weight("KA", [1, 2, 1, 1], 3, -4)
            .Weight("KB", [2, 2, 1, 1], 5, 6, 7, 8)
            .Weight("K3", [1, 3, 1, 1], 1, 1, 1)
            .Node("Conv", ["x", "K1"], ["c1"], "conv1")
            .Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "KA"], ["a"], "convA")
            .Node("Conv", ["r1", "KB"], ["b"], "convB")
            .Node("Concat", ["a", "b"], ["cat"], attributes: [("axis", 1L)])
            .Node("Conv", ["cat", "K3"], ["y"], "conv3")
            .Output("y"));
        Assert.Equal(["convA", "convB", "conv3"], neurons.NodeSets.Select(s => s.Name));
        // Nodes: convA-in 0,1 | convB-in 2,3 | conv3-in 4 (convA's channel), 5, 6 (convB's channels).
        AssertEdges(graph, 7, (0, 4, 3), (1, 4, 4), (2, 5, 5), (3, 5, 6), (2, 6, 7), (3, 6, 8));
    }
}
