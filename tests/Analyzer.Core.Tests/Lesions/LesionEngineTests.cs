using Analyzer.Core.Memory;
using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

/// <remarks>In the lesion collection: its engines' ONNX Runtime arenas hold gigabytes of CNN activations, and run
/// beside the other lesion class they once drove the test host into the out-of-memory killer.</remarks>
[Collection(LesionCollection.Name)]
public partial class LesionEngineTests
{
    private static readonly LesionOptions Cpu = new() { Device = ExecutionDevice.Cpu };

    /// <summary>
    /// x (2 features) -> fc1 = identity -> ReLU -> fc2 = identity + bias (0, 0.5) -> logits. Examples (1,0) (0,1) (2,1)
    /// (1,3) with labels 0 1 0 1: logits (a, b + 0.5) classify all four correctly.
    /// </summary>
    private static (ModelNetwork, ImageDataset) Identity()
    {
        string path = new TinyModel()
            .Input("x", 1, 2)
            .Weight("W1", [2, 2], 1, 0, 0, 1)
            .Weight("W2", [2, 2], 1, 0, 0, 1)
            .Weight("b2", [2], 0, 0.5)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L))
            .Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2", "b2"], ["y"], "fc2", ("transB", 1L))
            .Output("y")
            .Save();
        var data = new ImageDataset("tiny", [1, 0, 0, 1, 2, 1, 1, 3], [0, 1, 0, 1], 1, 1, 2, 2);
        return (ModelNetwork.Load(path), data);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Lesions_of_a_hand_built_network_give_the_hand_computed_accuracies(bool reusePrefix)
    {
        var (network, data) = Identity();
        var options = Cpu with { Preprocessing = new Preprocessing(1, [0.0], [1.0]), ReusePrefix = reusePrefix };
        using var engine = new LesionEngine(network, data, options);
        Assert.Equal(1.0, engine.Baseline().Accuracy);
        int hidden = network.Neurons.NodeSets.Single(s => s.Analysed).Index;
        var outcomes = engine.Evaluate([
            new LesionSet("unit0", hidden, [0]),   // logits (0, b + 0.5): everything is class 1
            new LesionSet("unit1", hidden, [1]),   // logits (a, 0.5): (1,3) becomes class 0
            new LesionSet("both", hidden, [0, 1]), // logits (0, 0.5): class 1
            new LesionSet("none", hidden, []),
        ]);
        Assert.Equal([0.5, 0.75, 0.5, 1.0], outcomes.Select(o => o.Accuracy));
        Assert.Equal([0.0, 1.0], outcomes[0].ClassAccuracy);
        Assert.Equal([1.0, 0.5], outcomes[1].ClassAccuracy);
        Assert.Equal("cpu (CPUExecutionProvider)", engine.Provider);
    }

    /// <summary>Random 28 x 28 grey images with random labels of 10 classes.</summary>
    private static ImageDataset RandomImages(Random rng, int count)
    {
        var pixels = new byte[count * 784];
        rng.NextBytes(pixels);
        return new ImageDataset("random", pixels, Enumerable.Range(0, count).Select(_ => rng.Next(10)).ToArray(), 1, 28, 28, 10);
    }

    /// <summary><paramref name="perNodeSet"/> random lesions of every analysed node set, each unit removed with probability
    /// <paramref name="share"/>.</summary>
    private static List<LesionSet> RandomSets(ModelNetwork network, Random rng, int perNodeSet, double share) =>
        network.Neurons.NodeSets.Where(s => s.Analysed)
            .SelectMany(s => Enumerable.Range(0, perNodeSet).Select(i => new LesionSet($"{s.Name}/{i}", s.Index,
                Enumerable.Range(0, s.Units).Where(_ => rng.NextDouble() < share).ToArray())))
            .ToList();

    [Theory]
    [InlineData("fmnist-cnn.onnx")]
    [InlineData("fmnist-resnet.onnx")]
    [InlineData("fmnist-vgg-bn.onnx")]
    public void Prefix_reuse_and_batched_masks_give_the_plain_full_model_accuracies(string model)
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model(model));
        var rng = new Random(5);
        // 300 random images are enough to compare the two paths exactly.
        var data = RandomImages(rng, 300);
        var sets = RandomSets(network, rng, 3, 0.3);
        using var plain = new LesionEngine(network, data, Cpu with { ReusePrefix = false, RowsPerRun = 1 });
        using var fast = new LesionEngine(network, data, Cpu with { ChunkSize = 128, LowRankDense = false });
        var expected = plain.Evaluate(sets);
        var actual = fast.Evaluate(sets);
        Assert.Equal(expected.Select(o => o.Accuracy), actual.Select(o => o.Accuracy));
        Assert.Equal(expected.SelectMany(o => o.ClassAccuracy), actual.SelectMany(o => o.ClassAccuracy));
    }

    [Theory]
    [InlineData("fmnist-mlp.onnx")]
    [InlineData("fmnist-cnn.onnx")]
    [InlineData("fmnist-resnet.onnx")]
    [InlineData("fmnist-vgg-bn.onnx")]
    public void Low_rank_lesions_agree_with_the_full_model_up_to_rounding(string model)
    {
        var network = ModelNetwork.Load(RepositoryFiles.Model(model));
        var rng = new Random(8);
        var data = RandomImages(rng, 400);
        var sets = RandomSets(network, rng, 4, 0.2);
        Assert.NotEmpty(sets);
        // Smaller runs than the default 2048 rows keep the arenas of the two engines' sessions to a few hundred MB.
        using var plain = new LesionEngine(network, data, Cpu with { ReusePrefix = false, RowsPerRun = 400 });
        using var lowRank = new LesionEngine(network, data, Cpu with { ChunkSize = 150, RowsPerRun = 600 });
        var expected = plain.Evaluate(sets);
        var actual = lowRank.Evaluate(sets);
        // Summation order differs, so a prediction whose top logits tie to ~1e-6 may flip: at most one per set here.
        for (int i = 0; i < sets.Count; i++)
            Assert.True(Math.Abs(expected[i].Accuracy - actual[i].Accuracy) <= 1.0 / data.Count,
                $"{sets[i].Id}: {actual[i].Accuracy} vs {expected[i].Accuracy}");
    }

    [Fact]
    public void Node_sets_swept_together_and_one_at_a_time_within_a_small_budget_agree()
    {
        // The default budget sweeps the CNN's three node sets with one shared prefix; 3 MiB (under twice the model file
        // per node set) sweeps them one by one, each with its own prefix, releasing the others' sessions in between.
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-cnn.onnx"));
        var rng = new Random(11);
        var data = RandomImages(rng, 200);
        var sets = RandomSets(network, rng, 3, 0.1);
        using var together = new LesionEngine(network, data, Cpu);
        using var apart = new LesionEngine(network, data, Cpu with { MemoryBudget = MemoryBudget.OfMiB(3) });
        var expected = together.Evaluate(sets);
        var actual = apart.Evaluate(sets);
        Assert.True(apart.Evictions > 0, "the small budget released no session");
        for (int i = 0; i < sets.Count; i++)
            Assert.True(Math.Abs(expected[i].Accuracy - actual[i].Accuracy) <= 1.0 / data.Count,
                $"{sets[i].Id}: {actual[i].Accuracy} vs {expected[i].Accuracy}");
    }

    [SkippableFact]
    public void Baseline_accuracy_of_the_committed_mlp_is_its_manifest_accuracy()
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        var network = ModelNetwork.Load(RepositoryFiles.Model("fmnist-mlp.onnx"));
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        using var engine = new LesionEngine(network, data, Cpu);
        Assert.Equal(0.891, engine.Baseline().Accuracy, 4); // manifest.json, measured in PyTorch
    }

    [Fact]
    public void Data_that_does_not_fit_the_model_is_reported()
    {
        var (network, _) = Identity();
        var data = new ImageDataset("three.idx", [1, 2, 3], [0], 1, 1, 3, 10);
        var e = Assert.Throws<DataFormatException>(() => new LesionEngine(network, data, Cpu));
        Assert.StartsWith("three.idx: examples of 3 values do not fit input 'x' of ", e.Message);
        Assert.Contains("[N, 2] (2 values per example); arrays of numbers and feature vectors are used as they are, never resized", e.Message);
    }
}
