using Analyzer.Core.Networks;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

/// <summary>
/// Models as exporters write them (docs/method.md §10): a Reshape to a constant [1, features] (the batch fixed to one
/// example), a batch-1 constant concatenated with the examples, and an output shaped [N, C, 1, 1]. The same hand-built
/// network as <see cref="Identity"/>, so every accuracy is the hand-computed one.
/// </summary>
public partial class LesionEngineTests
{
    /// <param name="form">"flatten": Flatten (any batch); "baked": Reshape to the constant [1, 2]; "concat": the two
    /// features concatenated with a constant [1, 1] column and sliced back (which cannot be repaired); "spatial": the logits left
    /// as [N, 2, 1, 1]; "identity": as "spatial" with the output bias added after the conv from an Identity copy of an
    /// initializer made at the top of the graph (as torch.onnx.export shares equal weights), so a data-independent
    /// tensor made before the lesion cut is read after it.</param>
    private static (ModelNetwork, ImageDataset) IdentityOnAMap(string form)
    {
        var m = new TinyModel()
            .Input("x", 1, 2, 1, 1)
            .Weight("K", [2, 2, 1, 1], 1, 0, 0, 1)
            .Weight("W2", [2, 2], 1, 0, 0, 1)
            .Weight("b2", [2], 0, 0.5)
            .Weight("pad", [1, 1], 0)
            .Ints("target", 1, 2);
        if (form == "identity") m.Weight("kb0", [1, 2, 1, 1], 0, 0.5).Node("Identity", ["kb0"], ["kb"], "shared");
        m.Node("Conv", ["x", "K"], ["c"], "conv")
            .Node("Relu", ["c"], ["r"]);
        switch (form)
        {
            case "baked": m.Node("Reshape", ["r", "target"], ["f"], "flat"); break;
            case "concat": m.Node("Flatten", ["r"], ["f0"]).Node("Concat", ["f0", "pad"], ["f"], "join", ("axis", 1L)); break;
            default: m.Node("Flatten", ["r"], ["f"], "flat"); break;
        }
        if (form == "concat")
            m.Node("Slice", ["f", "s0", "s1", "s2"], ["fs"]).Ints("s0", 0).Ints("s1", 2).Ints("s2", 1)
                .Node("Gemm", ["fs", "W2", "b2"], ["y"], "fc", ("transB", 1L));
        else if (form == "spatial")
            m.Weight("K2", [2, 2, 1, 1], 1, 0, 0, 1).Weight("kb", [2], 0, 0.5).Node("Conv", ["r", "K2", "kb"], ["y"], "fc");
        else if (form == "identity")
            m.Weight("K2", [2, 2, 1, 1], 1, 0, 0, 1).Node("Conv", ["r", "K2"], ["y0"], "fc").Node("Add", ["y0", "kb"], ["y"]);
        else
            m.Node("Gemm", ["f", "W2", "b2"], ["y"], "fc", ("transB", 1L));
        string path = m.Output("y").Save();
        var data = new ImageDataset("tiny", [1, 0, 0, 1, 2, 1, 1, 3], [0, 1, 0, 1], 2, 1, 1, 2);
        return (ModelNetwork.Load(path), data);
    }

    [Theory]
    [InlineData("flatten", false)]
    [InlineData("baked", false)]
    [InlineData("concat", true)]
    [InlineData("spatial", false)]
    [InlineData("identity", false)]
    public void Models_with_shapes_fixed_to_one_example_give_the_hand_computed_accuracies(string form, bool oneAtATime)
    {
        var (network, data) = IdentityOnAMap(form);
        var notes = new List<string>();
        var options = Cpu with { Preprocessing = new Preprocessing(1, [0.0], [1.0]), Note = notes.Add };
        using var engine = new LesionEngine(network, data, options);
        Assert.Equal(2, engine.Classes);
        Assert.Equal(1.0, engine.Baseline().Accuracy);
        int hidden = network.Neurons.NodeSets.Single(s => s.Analysed).Index;
        var outcomes = engine.Evaluate([
            new LesionSet("unit0", hidden, [0]), new LesionSet("unit1", hidden, [1]), new LesionSet("both", hidden, [0, 1]),
        ]);
        Assert.Equal([0.5, 0.75, 0.5], outcomes.Select(o => o.Accuracy));
        Assert.Equal(oneAtATime, notes.Any(n => n.Contains("one example at a time")));
        Assert.Equal(form == "baked", notes.Any(n => n.Contains("made batch-independent")));
    }
}
