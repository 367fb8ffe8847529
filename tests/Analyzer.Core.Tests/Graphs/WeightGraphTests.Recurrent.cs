using Analyzer.Core.Graphs;
using Analyzer.Core.Networks;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

/// <summary>Recurrent layers in the weight graph (docs/method.md §2, recurrent layers): input edges from W summed over the
/// gates, edges between hidden units of the same direction from R in both directions, the diagonal left out; checked
/// entry by entry against the weights.</summary>
public partial class WeightGraphTests
{
    [Theory]
    [InlineData("LSTM", 4, "forward")]
    [InlineData("GRU", 3, "forward")]
    [InlineData("RNN", 1, "bidirectional")]
    public void A_recurrent_layer_joins_its_input_through_W_and_its_units_through_R(string op, int gates, string direction)
    {
        int dirs = direction == "bidirectional" ? 2 : 1, hidden = 3, features = 2, units = dirs * hidden;
        double W(int d, int row, int i) => ((d * 7 + row * 3 + i * 5) % 11 - 5) / 4.0;
        double R(int d, int row, int k) => ((d * 5 + row * 2 + k * 7) % 13 - 6) / 5.0;
        double Out(int o, int j) => ((o * 3 + j) % 5 - 2) / 3.0;
        var m = new TinyModel(14)
            .Input("x", 1, 4, features)
            .Weight("W", [dirs, gates * hidden, features], Enumerable.Range(0, dirs * gates * hidden * features)
                .Select(e => W(e / (gates * hidden * features), e / features % (gates * hidden), e % features)).ToArray())
            .Weight("R", [dirs, gates * hidden, hidden], Enumerable.Range(0, dirs * gates * hidden * hidden)
                .Select(e => R(e / (gates * hidden * hidden), e / hidden % (gates * hidden), e % hidden)).ToArray())
            .Weight("V", [2, units], Enumerable.Range(0, 2 * units).Select(e => Out(e / units, e % units)).ToArray())
            .Node("Transpose", ["x"], ["t"], "to_time_major", ("perm", new long[] { 1, 0, 2 }))
            .Node(op, ["t", "W", "R"], ["Y", "Y_h"], "rnn", ("hidden_size", (long)hidden), ("direction", direction))
            .Node("Transpose", ["Y_h"], ["h"], "to_batch_first", ("perm", new long[] { 1, 0, 2 }))
            .Node("Flatten", ["h"], ["f"], "flatten")
            .Node("Gemm", ["f", "V"], ["y"], "fc", ("transB", 1L))
            .Output("y");
        var network = ModelNetwork.Load(m.Save());
        Assert.Equal(["x", "rnn", "fc"], network.Neurons.NodeSets.Select(s => s.Name));
        var a = WeightGraph.Build(network.Neurons).ToDense();
        int n = features + units + 2;
        Assert.Equal(n * n, a.Length);
        for (int d = 0; d < dirs; d++)
            for (int j = 0; j < hidden; j++)
            {
                int u = features + d * hidden + j;
                for (int i = 0; i < features; i++)
                    Assert.Equal(Enumerable.Range(0, gates).Sum(g => Math.Abs(W(d, g * hidden + j, i))), a[u * n + i], 6);
                for (int k = 0; k < hidden; k++)
                {
                    int v = features + d * hidden + k;
                    double expected = k == j ? 0 : Enumerable.Range(0, gates).Sum(g => Math.Abs(R(d, g * hidden + j, k)) + Math.Abs(R(d, g * hidden + k, j)));
                    Assert.Equal(expected, a[u * n + v], 6);
                }
                // Nothing across directions.
                for (int k = 0; k < hidden && dirs == 2; k++)
                    Assert.Equal(0, a[u * n + features + (1 - d) * hidden + k]);
                for (int o = 0; o < 2; o++)
                    Assert.Equal(Math.Abs(Out(o, d * hidden + j)), a[u * n + features + units + o], 6);
            }
    }
}
