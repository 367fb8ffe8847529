using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>
/// The decisions of docs/method.md §1-2 for what the paper never met, each on a tiny model whose graph is worked out by
/// hand or must equal that of an equivalent simpler model: grouped and depthwise convs, squeeze-and-excitation gates,
/// self-gates (SiLU, GELU written out), LayerNorm written out and fused, layer scale, spatial means, channels-last dense
/// layers, and transformer MLPs linked through the residual stream.
/// </summary>
public partial class WeightGraphTests
{
    private static double[] Adjacency(TinyModel model) => WeightGraph.Build(ModelNetwork.Load(model.Save()).Neurons).ToDense();

    private static void AssertSameGraph(TinyModel a, TinyModel b)
    {
        var ga = ModelNetwork.Load(a.Save()).Neurons;
        var gb = ModelNetwork.Load(b.Save()).Neurons;
        Assert.Equal(ga.NodeSets.Select(s => (s.Name, s.Units)), gb.NodeSets.Select(s => (s.Name, s.Units)));
        Tolerance.Float32Weights.AssertAll(WeightGraph.Build(ga).ToDense(), WeightGraph.Build(gb).ToDense(), "adjacency");
    }

    // conv0 (1 -> 4 channels, 1x1) feeds a grouped conv1 (4 -> 4, 2 groups, 1x1), read by conv2 (4 -> 1).
    // conv1 weight [4 outputs, 2 inputs per group]: outputs 0,1 read channels 0,1; outputs 2,3 read channels 2,3.
    [Fact]
    public void Grouped_conv_joins_channels_only_within_a_group()
    {
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 3, 3)
            .Weight("K0", [4, 1, 1, 1], 1, 1, 1, 1)
            .Weight("K1", [4, 2, 1, 1], 1, -2, 3, 4, 5, 6, -7, 8)
            .Weight("K2", [1, 4, 1, 1], 1, 1, 1, 1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0").Node("Relu", ["c0"], ["r0"])
            .Node("Conv", ["r0", "K1"], ["c1"], "conv1", ("group", 2L)).Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "K2"], ["y"], "conv2")
            .Output("y"));
        Assert.Equal(["conv1", "conv2"], neurons.NodeSets.Select(s => s.Name));
        // conv1-in 0..3 | conv2-in 4..7; edge (i, 4 + j) = |K1[j, i - group offset]|.
        AssertEdges(graph, 8,
            (0, 4, 1), (1, 4, 2), (0, 5, 3), (1, 5, 4),
            (2, 6, 5), (3, 6, 6), (2, 7, 7), (3, 7, 8));
    }

    [Fact]
    public void Depthwise_conv_joins_channel_c_to_c_by_the_L1_norm_of_its_kernel()
    {
        var (_, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 4, 4)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("KD", [2, 1, 2, 2], 1, -1, 2, 0, /* c0: 4 */ 0.5, 0.5, -0.5, 0.5 /* c1: 2 */)
            .Weight("K2", [1, 2, 1, 1], 1, 1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0").Node("Relu", ["c0"], ["r0"])
            .Node("Conv", ["r0", "KD"], ["c1"], "dw", ("group", 2L)).Node("Relu", ["c1"], ["r1"])
            .Node("Conv", ["r1", "K2"], ["y"], "conv2")
            .Output("y"));
        AssertEdges(graph, 4, (0, 2, 4), (1, 3, 2));
    }

    /// <summary>conv0 (2 channels) -> ReLU -> x; gate = Sigmoid(fc2(ReLU(fc1(GlobalAveragePool(x))))); conv3 reads x·gate.</summary>
    private static TinyModel SqueezeExcitation(bool spatialMean) => new TinyModel()
        .Input("x", 1, 1, 4, 4)
        .Weight("K0", [2, 1, 1, 1], 1, 1)
        .Weight("F1", [1, 2, 1, 1], 2, -3).Weight("F1b", [1], 0.1)
        .Weight("F2", [2, 1, 1, 1], 5, -7).Weight("F2b", [2], 0, 0)
        .Weight("K3", [1, 2, 1, 1], 11, 13)
        .Ints("spatial", 2, 3)
        .Node("Conv", ["x", "K0"], ["c0"], "conv0").Node("Relu", ["c0"], ["r0"])
        .Node(spatialMean ? "ReduceMean" : "GlobalAveragePool", spatialMean ? ["r0", "spatial"] : ["r0"], ["p"], "pool", ("keepdims", 1L))
        .Node("Conv", ["p", "F1", "F1b"], ["s1"], "fc1").Node("Relu", ["s1"], ["s1r"])
        .Node("Conv", ["s1r", "F2", "F2b"], ["s2"], "fc2").Node("Sigmoid", ["s2"], ["g"])
        .Node("Mul", ["r0", "g"], ["gated"], "scale")
        .Node("Conv", ["gated", "K3"], ["y"], "conv3")
        .Output("y");

    [Fact]
    public void Squeeze_excitation_convs_are_layers_and_the_gated_units_come_from_both_factors()
    {
        var (neurons, graph) = Build(SqueezeExcitation(spatialMean: false));
        // Node sets: fc1's input (pooled conv0 channels), fc2's input (the squeezed unit), conv3's input (x·gate).
        Assert.Equal(["fc1", "fc2", "conv3"], neurons.NodeSets.Select(s => s.Name));
        Assert.Equal([2, 1, 2], neurons.NodeSets.Select(s => s.Units));
        // fc1-in 0,1 | fc2-in 2 | conv3-in 3,4. fc1 joins its input to the squeezed unit; fc2 joins the squeezed unit to
        // the gated units through the gate (|F2|); conv3 reaches no node set. conv0 reads the image: no edges from it.
        AssertEdges(graph, 5, (0, 2, 2), (1, 2, 3), (2, 3, 5), (2, 4, 7));
    }

    [Fact]
    public void A_mean_over_space_passes_channels_on_like_global_average_pooling()
    {
        AssertSameGraph(SqueezeExcitation(spatialMean: false), SqueezeExcitation(spatialMean: true));
    }

    /// <summary>conv0 -> BN (scales 2, -0.5) -> activation -> conv1, with the activation SiLU written as x·σ(x), or ReLU.</summary>
    private static TinyModel WithActivation(string kind) => Chain(m => kind switch
    {
        "silu" => m.Node("Sigmoid", ["b0"], ["s"]).Node("Mul", ["b0", "s"], ["a0"], "silu"),
        "gelu-written" => m.Weight("sqrt2", [], Math.Sqrt(2)).Weight("one", [], 1).Weight("half", [], 0.5)
            .Node("Div", ["b0", "sqrt2"], ["d"]).Node("Erf", ["d"], ["e"]).Node("Add", ["e", "one"], ["e1"])
            .Node("Mul", ["b0", "e1"], ["m"]).Node("Mul", ["m", "half"], ["a0"]),
        "gelu" => m.Node("Gelu", ["b0"], ["a0"], "gelu"),
        "hardswish-written" => m.Node("HardSigmoid", ["b0"], ["h"], null, ("alpha", 1.0 / 6), ("beta", 0.5)).Node("Mul", ["b0", "h"], ["a0"]),
        "hardswish" => m.Node("HardSwish", ["b0"], ["a0"]),
        _ => m.Node("Relu", ["b0"], ["a0"]),
    }, opset: kind == "gelu" ? 20 : 14);

    private static TinyModel Chain(Func<TinyModel, TinyModel> activation, long opset = 14)
    {
        var m = new TinyModel(opset)
            .Input("x", 1, 1, 3, 3)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("K1", [2, 2, 1, 1], 1, 2, 3, 4)
            .Weight("K2", [1, 2, 1, 1], 1, -1)
            .Weight("g", [2], 2, -0.5).Weight("b", [2], 0, 0).Weight("mu", [2], 0, 0).Weight("v", [2], 1, 1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0").Node("Relu", ["c0"], ["r0"])
            .Node("Conv", ["r0", "K1"], ["c1"], "conv1")
            .Node("BatchNormalization", ["c1", "g", "b", "mu", "v"], ["b0"], "bn", ("epsilon", 0.0));
        return activation(m).Node("Conv", ["a0", "K2"], ["y"], "conv2").Output("y");
    }

    [Theory]
    [InlineData("silu")]
    [InlineData("gelu-written")]
    [InlineData("gelu")]
    [InlineData("hardswish-written")]
    [InlineData("hardswish")]
    public void Self_gated_activations_fold_BatchNorm_into_the_producer_with_unit_slope(string activation)
    {
        // conv1-in 0,1 | conv2-in 2,3: edges |K1[j, i]| · |bn scale j|, exactly as for a ReLU.
        var relu = Adjacency(WithActivation("relu"));
        Tolerance.Float32Weights.AssertAll(Adjacency(WithActivation(activation)), relu, "adjacency");
        var (_, graph) = Build(WithActivation(activation));
        AssertEdges(graph, 4, (0, 2, 2), (1, 2, 4), (0, 3, 1.5), (1, 3, 2));
    }

    /// <summary>conv0 -> Transpose to channels-last -> LayerNorm over C (γ = 2, -3) -> MatMul (pointwise dense) -> ReLU ->
    /// MatMul -> Transpose back; LayerNorm fused (opset 17) or written out as exporters write it.</summary>
    private static TinyModel ChannelsLast(bool fusedNorm)
    {
        var m = new TinyModel(17)
            .Input("x", 1, 1, 2, 2)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("gamma", [2], 2, -3).Weight("beta", [2], 0.1, 0.2)
            .Weight("W1", [2, 3], 1, -2, 3, 4, 5, -6).Weight("W2", [3, 1], 1, 2, 3)
            .Weight("eps", [], 1e-5).Weight("two", [], 2).Ints("last", -1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0")
            .Node("Transpose", ["c0"], ["t"], "to_last", ("perm", new long[] { 0, 2, 3, 1 }));
        if (fusedNorm)
            m.Node("LayerNormalization", ["t", "gamma", "beta"], ["n"], "ln", ("axis", -1L), ("epsilon", 1e-5));
        else
            m.Node("ReduceMean", ["t"], ["mu"], null, ("axes", new long[] { -1 })).Node("Sub", ["t", "mu"], ["d"])
                .Node("Pow", ["d", "two"], ["d2"]).Node("ReduceMean", ["d2"], ["var"], null, ("axes", new long[] { -1 }))
                .Node("Add", ["var", "eps"], ["ve"]).Node("Sqrt", ["ve"], ["sd"]).Node("Div", ["d", "sd"], ["z"])
                .Node("Mul", ["z", "gamma"], ["zg"]).Node("Add", ["zg", "beta"], ["n"]);
        return m.Node("MatMul", ["n", "W1"], ["h"], "pw1").Node("Relu", ["h"], ["hr"])
            .Node("MatMul", ["hr", "W2"], ["o"], "pw2")
            .Node("Transpose", ["o"], ["y"], "to_first", ("perm", new long[] { 0, 3, 1, 2 }))
            .Output("y");
    }

    [Fact]
    public void LayerNorm_written_out_gives_the_graph_of_LayerNormalization()
    {
        AssertSameGraph(ChannelsLast(fusedNorm: true), ChannelsLast(fusedNorm: false));
    }

    [Fact]
    public void Channels_last_dense_layers_read_node_sets_and_the_norm_scale_folds_into_the_reader()
    {
        var (neurons, graph) = Build(ChannelsLast(fusedNorm: true));
        Assert.Equal(NetworkKind.Cnn, neurons.Kind);
        Assert.Equal(["pw1", "pw2"], neurons.NodeSets.Select(s => s.Name));
        // pw1-in 0,1 (conv0's channels, past the LayerNorm: γ = 2, -3 folds into pw1) | pw2-in 2,3,4.
        AssertEdges(graph, 5,
            (0, 2, 1 * 2), (0, 3, 2 * 2), (0, 4, 3 * 2),
            (1, 2, 4 * 3), (1, 3, 5 * 3), (1, 4, 6 * 3));
    }

    /// <summary>conv0 -> layer scale (Mul by [C, 1, 1]) -> Add residual; the scale is before any non-linearity.</summary>
    [Fact]
    public void Layer_scale_before_a_residual_sum_folds_into_the_producing_layer()
    {
        var (_, graph) = Build(new TinyModel()
            .Input("x", 1, 1, 2, 2)
            .Weight("K0", [2, 1, 1, 1], 1, 1)
            .Weight("K1", [2, 2, 1, 1], 1, 2, 3, 4)
            .Weight("scale", [2, 1, 1], 0.5, -2)
            .Weight("K2", [1, 2, 1, 1], 1, 1)
            .Node("Conv", ["x", "K0"], ["c0"], "conv0").Node("Relu", ["c0"], ["r0"])
            .Node("Conv", ["r0", "K1"], ["c1"], "conv1")
            .Node("Mul", ["c1", "scale"], ["s1"], "layer_scale")
            .Node("Add", ["r0", "s1"], ["sum"], "residual")
            .Node("Conv", ["sum", "K2"], ["y"], "conv2")
            .Output("y"));
        // conv1-in 0,1 | conv2-in 2,3: conv1's output j scaled by |scale j|; the residual adds nothing (conv0 reads the image).
        AssertEdges(graph, 4, (0, 2, 0.5), (1, 2, 1), (0, 3, 6), (1, 3, 8));
    }

    /// <summary>
    /// A two-block transformer on tokens x [1, 3, 2]: block a (MLP W1a, ReLU, W2a) adds to the residual stream; a
    /// self-attention softmax(r·rᵀ)·r adds to it; block b (W1b, ReLU, W2b) reads it.
    /// </summary>
    [Fact]
    public void Transformer_MLP_neurons_are_linked_through_the_residual_stream_by_the_composite_map()
    {
        double[] w1a = [1, 2, 3, -1, 0, 1], w2a = [1, -1, 2, 0, 1, 3], w1b = [2, 1, 0, -1, 1, 1], w2b = [1, 1, 1, 1, 1, 1];
        var (neurons, graph) = Build(new TinyModel()
            .Input("x", 1, 3, 2)
            .Weight("W1a", [2, 3], w1a).Weight("W2a", [3, 2], w2a)
            .Weight("W1b", [2, 3], w1b).Weight("W2b", [3, 2], w2b)
            .Node("MatMul", ["x", "W1a"], ["ha"], "fc1a").Node("Relu", ["ha"], ["har"])
            .Node("MatMul", ["har", "W2a"], ["oa"], "fc2a").Node("Add", ["x", "oa"], ["r1"])
            .Node("Transpose", ["r1"], ["r1t"], null, ("perm", new long[] { 0, 2, 1 }))
            .Node("MatMul", ["r1", "r1t"], ["scores"], "qk").Node("Softmax", ["scores"], ["attn"], null, ("axis", -1L))
            .Node("MatMul", ["attn", "r1"], ["mixed"], "av").Node("Add", ["r1", "mixed"], ["r2"])
            .Node("MatMul", ["r2", "W1b"], ["hb"], "fc1b").Node("Relu", ["hb"], ["hbr"])
            .Node("MatMul", ["hbr", "W2b"], ["ob"], "fc2b").Node("Add", ["r2", "ob"], ["y"])
            .Output("y"));
        Assert.Equal(NetworkKind.Transformer, neurons.Kind);
        Assert.Equal(["fc2a", "fc2b"], neurons.NodeSets.Select(s => s.Name));
        // h_a (0..2) -> h_b (3..5): |(W2a · W1b)[i, j]| over the residual stream's 2 coordinates, with W as [in, out].
        var edges = new List<(int, int, double)>();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                edges.Add((i, 3 + j, Math.Abs(w2a[i * 2] * w1b[j] + w2a[i * 2 + 1] * w1b[3 + j])));
        AssertEdges(graph, 6, [.. edges.Where(e => e.Item3 != 0)]);
    }
}
