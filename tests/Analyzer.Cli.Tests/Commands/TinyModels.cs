using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

internal static class TinyModels
{
    /// <summary>2 inputs -> 4 hidden (ReLU) -> 2 outputs: two obvious clusters {in0, h0, h1, out0} and {in1, h2, h3, out1}.</summary>
    public static string TwoPathways() => new TinyModel()
        .Input("x", 1, 2)
        .Weight("W1", [4, 2], 1, 0.01, 2, 0.01, 0.01, 1, 0.01, 2)
        .Weight("W2", [2, 4], 1, 1, 0.01, 0.01, 0.01, 0.01, 1, 1)
        .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
        .Node("Relu", ["a"], ["r"])
        .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L))
        .Output("y")
        .Save();

    /// <summary>An MLP whose input first goes through LpPool, which feature visualisation cannot differentiate
    /// (node 'lp'); hidden layer fc1.</summary>
    public static string WithLpPool() => new TinyModel().Input("x", 1, 4, 1, 1)
        .Weight("w", [3, 4], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12).Weight("b", [3], 0, 0, 0)
        .Weight("w2", [2, 3], 1, 1, 1, 1, 1, 1).Weight("b2", [2], 0, 0)
        .Node("LpPool", ["x"], ["n"], "lp", ("kernel_shape", new long[] { 1, 1 }))
        .Node("Flatten", ["n"], ["s"], "flat")
        .Node("Gemm", ["s", "w", "b"], ["h"], "fc1", ("transB", 1L)).Node("Relu", ["h"], ["r"])
        .Node("Gemm", ["r", "w2", "b2"], ["y"], "out", ("transB", 1L)).Output("y")
        .Save();

    /// <summary>A residual CNN on a 1x4x4 image: stem (1x1 conv, 2 channels), c1 (1x1 conv), stem + c1 read by c2, then
    /// global average pooling and a dense layer out. Node sets: c1 (outputs of stem), c2 (stem + c1), out (c2).</summary>
    public static string Residual() => new TinyModel().Input("x", 1, 1, 4, 4)
        .Weight("ws", [2, 1, 1, 1], 1, -1).Weight("bs", [2], 0, 0)
        .Weight("w1", [2, 2, 1, 1], 1, 0.5, 0.5, 1).Weight("b1", [2], 0, 0)
        .Weight("w2", [2, 2, 1, 1], 1, 0, 0, 1).Weight("b2", [2], 0, 0)
        .Weight("wo", [2, 2], 1, 0, 0, 1).Weight("bo", [2], 0, 0)
        .Node("Conv", ["x", "ws", "bs"], ["s"], "stem").Node("Relu", ["s"], ["sr"])
        .Node("Conv", ["sr", "w1", "b1"], ["c"], "c1").Node("Relu", ["c"], ["cr"])
        .Node("Add", ["sr", "cr"], ["a"], "add")
        .Node("Conv", ["a", "w2", "b2"], ["d"], "c2").Node("Relu", ["d"], ["dr"])
        .Node("GlobalAveragePool", ["dr"], ["g"], "pool").Node("Flatten", ["g"], ["f"], "flat")
        .Node("Gemm", ["f", "wo", "bo"], ["y"], "out", ("transB", 1L)).Output("y")
        .Save();
}
