using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

/// <summary>Lesions through the command line against goldens PyTorch computed (tools/golden_token_lesions.py,
/// tools/golden_sequence_lesions.py).</summary>
public static class LesionGolden
{
    /// <summary>Runs `lesion` on the sets of <paramref name="key"/> in a golden file of tests/models/families (its data: the
    /// entry's "data" file, else MODEL-data.npz; the model: <paramref name="modelPath"/>, else MODEL.onnx) and compares accuracies (exactly but for float rounding) and output
    /// changes (to 0.1 %) with PyTorch's.</summary>
    public static void AssertMatches(string goldenFile, string key, string model, string? modelPath = null)
    {
        using var goldens = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.TestModel($"families/{goldenFile}")));
        var expected = goldens.RootElement.GetProperty(key);
        string data = expected.TryGetProperty("data", out var named) ? named.GetString()! : $"{model}-data.npz";
        string dir = TempDirectory.Create();
        string setsFile = Path.Combine(dir, "sets.json");
        File.WriteAllText(setsFile, JsonSerializer.Serialize(new
        {
            sets = expected.GetProperty("sets").EnumerateArray().Select(s => new
            {
                id = s.GetProperty("id").GetString(), layer = s.GetProperty("layer").GetString(),
                units = s.GetProperty("units").EnumerateArray().Select(u => u.GetInt32()).ToArray(),
            }),
        }));
        string output = Path.Combine(dir, "lesion.json");
        var run = CliRun.Of("lesion", modelPath ?? RepositoryFiles.TestModel($"families/{model}.onnx"), "--data",
            $"npz:{RepositoryFiles.TestModel($"families/{data}")}", "--sets", setsFile, "--labels", expected.GetProperty("labels").GetString()!,
            "--out", output, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Error);
        using var lesions = JsonDocument.Parse(File.ReadAllText(output));
        if (expected.TryGetProperty("baseline", out var baseline))
            Assert.Equal(baseline.GetDouble(), lesions.RootElement.GetProperty("baseline").GetProperty("accuracy").GetDouble(), 9);
        var actual = lesions.RootElement.GetProperty("sets").EnumerateArray().ToList();
        Assert.Equal(expected.GetProperty("sets").GetArrayLength(), actual.Count);
        foreach (var (want, got) in expected.GetProperty("sets").EnumerateArray().Zip(actual))
        {
            Assert.Equal(want.GetProperty("id").GetString(), got.GetProperty("id").GetString());
            Assert.Equal(want.GetProperty("accuracy").GetDouble(), got.GetProperty("accuracy").GetDouble(), 9);
            double change = want.GetProperty("output_change").GetDouble();
            Assert.InRange(got.GetProperty("output_change").GetDouble(), change * (1 - 1e-3) - 1e-7, change * (1 + 1e-3) + 1e-7);
        }
    }
}
