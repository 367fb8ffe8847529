using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Onnx;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

/// <summary>Measures without labels (docs/method.md §6): output change against hand-computed divergences, and scoring
/// against the model's own predictions against scoring against data labels that are those predictions.</summary>
public partial class LesionEngineTests
{
    private static readonly double[][] IdentityInputs = [[1, 0], [0, 1], [2, 1], [1, 3]];

    private static double[] Softmax(params double[] logits)
    {
        double max = logits.Max();
        var e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    private static double Kl(double[] p, double[] q) => p.Zip(q, (a, b) => a * Math.Log(a / b)).Sum();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Output_change_is_the_mean_KL_divergence_of_the_lesioned_softmax(bool reusePrefix)
    {
        var (network, data) = Identity();
        var options = Cpu with { Preprocessing = new Preprocessing(1, [0.0], [1.0]), ReusePrefix = reusePrefix, OutputChange = true };
        using var engine = new LesionEngine(network, data, options);
        Assert.Equal(0.0, engine.Baseline().OutputChange);
        int hidden = network.Neurons.NodeSets.Single(s => s.Analysed).Index;
        var outcomes = engine.Evaluate([new LesionSet("unit0", hidden, [0]), new LesionSet("unit1", hidden, [1])]);
        // Intact logits (x0, x1 + 0.5); without unit 0: (0, x1 + 0.5); without unit 1: (x0, 0.5).
        double Expected(Func<double[], double[]> lesioned) =>
            IdentityInputs.Average(x => Kl(Softmax(x[0], x[1] + 0.5), Softmax(lesioned(x))));
        Assert.Equal(Expected(x => [0, x[1] + 0.5]), outcomes[0].OutputChange, 1e-6);
        Assert.Equal(Expected(x => [x[0], 0.5]), outcomes[1].OutputChange, 1e-6);
    }

    [Fact]
    public void A_single_output_changes_by_its_squared_change_over_its_variance()
    {
        string path = new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 2], 1, 0, 0, 1)
            .Weight("W2", [1, 2], 1, 1)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
            .Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L))
            .Output("y")
            .Save();
        var network = ModelNetwork.Load(path);
        var data = new ImageDataset("tiny", [1, 0, 0, 1, 2, 1, 1, 3], [0, 0, 0, 0], 1, 1, 2, 1);
        using var engine = new LesionEngine(network, data, Cpu with { Preprocessing = new Preprocessing(1, [0.0], [1.0]), OutputChange = true });
        engine.Baseline();
        var outcome = engine.Evaluate([new LesionSet("unit0", network.Neurons.NodeSets.Single(s => s.Analysed).Index, [0])])[0];
        // y = x0 + x1 over the examples: 1, 1, 3, 4 (sample variance 2.25); without unit 0 y drops by x0.
        var y = IdentityInputs.Select(x => x[0] + x[1]).ToArray();
        double variance = y.Sum(v => (v - y.Average()) * (v - y.Average())) / (y.Length - 1);
        Assert.Equal(IdentityInputs.Average(x => x[0] * x[0]) / variance, outcome.OutputChange, 1e-6);
    }

    [SkippableFact]
    public void Model_labels_score_as_data_labels_that_are_the_models_own_predictions()
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        string model = RepositoryFiles.Model("fmnist-mlp.onnx");
        var network = ModelNetwork.Load(model);
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test).Draw(300, 4);
        // The model's predictions, from a plain session of the file (not the lesion engine).
        var pixels = new float[data.Count * data.ExampleSize];
        data.FillBatch(0, data.Count, pixels, Preprocessing.Default);
        using var session = OnnxSession.Create(File.ReadAllBytes(model), model, ExecutionDevice.Cpu);
        long[] shape = [data.Count, .. network.Shapes.ShapeOf(network.Graph.Inputs[0].Name).Skip(1)];
        var logits = session.Run([new TensorInput(network.Graph.Inputs[0].Name, pixels, shape)], [network.Graph.Outputs[0].Name])[0].Data;
        var predicted = Enumerable.Range(0, data.Count).Select(e => Array.IndexOf(logits, logits.Skip(e * 10).Take(10).Max(), e * 10) - e * 10).ToArray();
        var sets = network.Neurons.NodeSets.Where(s => s.Analysed).SelectMany(s => new[]
        {
            new LesionSet($"{s.Name}/a", s.Index, Enumerable.Range(0, s.Units / 3).ToArray()),
            new LesionSet($"{s.Name}/b", s.Index, Enumerable.Range(s.Units / 2, s.Units / 4).ToArray()),
        }).ToList();

        using var byModel = new LesionEngine(network, data, Cpu);
        byModel.UseLabels(byModel.Predictions());
        using var byData = new LesionEngine(network, data.WithLabels(predicted, 10), Cpu);
        Assert.Equal(1.0, byModel.Baseline().Accuracy);
        Assert.Equal(1.0, byData.Baseline().Accuracy);
        var a = byModel.Evaluate(sets);
        var b = byData.Evaluate(sets);
        Assert.Equal(b.Select(o => o.Accuracy), a.Select(o => o.Accuracy));
        Assert.Equal(b.SelectMany(o => o.ClassAccuracy), a.SelectMany(o => o.ClassAccuracy));
        Assert.Contains(a, o => o.Accuracy < 1); // the lesions change some predictions
    }

    [Fact]
    public void A_single_sigmoid_output_is_two_classes_split_at_one_half()
    {
        // x (2 features) -> fc1 = identity -> ReLU -> fc2 (x0 - x1 - 0.5) -> Sigmoid: class 1 where x0 > x1 + 0.5.
        string path = new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 2], 1, 0, 0, 1)
            .Weight("W2", [1, 2], 1, -1).Weight("b2", [1], -0.5)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
            .Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2", "b2"], ["z"], "fc2", ("transB", 1L))
            .Node("Sigmoid", ["z"], ["y"])
            .Output("y")
            .Save();
        var network = ModelNetwork.Load(path);
        // (1,0) (0,1) (2,1) (1,3): intact predictions 1, 0, 1, 0; labelled so.
        var data = new ImageDataset("tiny", [1, 0, 0, 1, 2, 1, 1, 3], [1, 0, 1, 0], 1, 1, 2, 2);
        using var engine = new LesionEngine(network, data, Cpu with { Preprocessing = new Preprocessing(1, [0.0], [1.0]) });
        Assert.Equal(1.0, engine.Baseline().Accuracy);
        Assert.Equal([1, 0, 1, 0], engine.Predictions());
        int hidden = network.Neurons.NodeSets.Single(s => s.Analysed).Index;
        // Without unit 1 the output is x0 - 0.5: class 1 for (1,0), (2,1) and (1,3); (0,1) stays 0. Without unit 0 all are 0.
        var outcomes = engine.Evaluate([new LesionSet("unit1", hidden, [1]), new LesionSet("unit0", hidden, [0])]);
        Assert.Equal(0.75, outcomes[0].Accuracy);
        Assert.Equal([1.0, 0.0], outcomes[1].ClassAccuracy);
    }
}
