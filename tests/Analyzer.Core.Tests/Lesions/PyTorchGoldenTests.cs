using Analyzer.Core.Networks;
using System.Text.Json;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Lesions;

/// <summary>
/// Lesion accuracies on the Fashion-MNIST test split against PyTorch with forward pre-hooks zeroing the same units
/// (tools/golden/lesions.py). Float rounding may flip a handful of the 10 000 predictions, no more.
/// </summary>
/// <remarks>In the lesion collection: its engines' ONNX Runtime arenas hold gigabytes of CNN activations, and run
/// beside the other lesion class they once drove the test host into the out-of-memory killer.</remarks>
[Collection(LesionCollection.Name)]
public class PyTorchGoldenTests
{
    [SkippableTheory]
    [InlineData("fmnist-mlp.onnx")]
    [InlineData("fmnist-cnn.onnx")]
    public void Lesion_accuracies_match_pytorch_forward_hooks(string model)
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        using var golden = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "lesions.json")));
        var network = ModelNetwork.Load(RepositoryFiles.Model(model));
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        var entries = golden.RootElement.GetProperty(model).EnumerateArray().ToList();
        var sets = entries.Select((e, i) => e.GetProperty("node_set").ValueKind == JsonValueKind.Null
            ? new LesionSet($"{i}", -1, [])
            : new LesionSet($"{i}", network.Neurons.NodeSets.Single(s => s.Name == e.GetProperty("node_set").GetString()).Index,
                e.GetProperty("units").EnumerateArray().Select(u => u.GetInt32()).ToArray())).ToList();
        using var engine = new LesionEngine(network, data, new LesionOptions { Device = ExecutionDevice.Cpu, RowsPerRun = 1000 });
        var outcomes = engine.Evaluate(sets);
        for (int i = 0; i < entries.Count; i++)
        {
            double expected = entries[i].GetProperty("accuracy").GetDouble();
            Assert.True(Math.Abs(outcomes[i].Accuracy - expected) <= 5.0 / data.Count,
                $"set {i} ({sets[i].NodeSet}): accuracy {outcomes[i].Accuracy} vs PyTorch {expected}");
            var classes = entries[i].GetProperty("class_accuracy").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int c = 0; c < classes.Length; c++)
                Assert.True(Math.Abs(outcomes[i].ClassAccuracy[c] - classes[c]) <= 5.0 / 1000,
                    $"set {i}, class {c}: {outcomes[i].ClassAccuracy[c]} vs PyTorch {classes[c]}");
        }
    }
}
