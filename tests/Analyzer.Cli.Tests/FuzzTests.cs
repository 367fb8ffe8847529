using System.Diagnostics;
using Analyzer.TestSupport;
using Xunit.Abstractions;

namespace Analyzer.Cli.Tests;

/// <summary>
/// Bad input at every door (seeded, bounded in time): real ONNX files mutated byte-wise and structurally, datasets cut
/// and corrupted, malformed sets files and manifests. Every case must end with exit 0, 2 or 3; a failure is one line
/// starting "error:", with no stack trace and nothing written where the output would go.
/// </summary>
public class FuzzTests(ITestOutputHelper log)
{
    private readonly Dictionary<int, int> exitCodes = [];
    private int cases;

    private void Check(string what, string output, params string[] args)
    {
        var run = CliRun.Of(args);
        cases++;
        exitCodes[run.ExitCode] = exitCodes.GetValueOrDefault(run.ExitCode) + 1;
        Assert.True(run.ExitCode is 0 or 2 or 3, $"{what}: exit {run.ExitCode}: {run.Error}");
        Assert.DoesNotContain("   at ", run.Error);
        if (run.ExitCode == 0) return;
        var errors = run.ErrorLines.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && run.ErrorLines.Last().StartsWith("error:", StringComparison.Ordinal), $"{what}: {run.Error}");
        bool wrote = File.Exists(output) || (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output, "*", SearchOption.AllDirectories).Any());
        Assert.False(wrote, $"{what}: failed (exit {run.ExitCode}) but left output at {output}");
    }

    private static string Write(string dir, string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Mutated_models_datasets_sets_and_manifests_end_in_one_line()
    {
        var clock = Stopwatch.StartNew();
        var rng = new Random(12);
        string dir = TempDirectory.Create();
        byte[] model = File.ReadAllBytes(RepositoryFiles.Model("fmnist-resnet.onnx"));

        // Byte-wise: truncations, flipped bytes, zeroed and duplicated chunks.
        for (int i = 0; i < 200 && clock.Elapsed < TimeSpan.FromSeconds(40); i++)
        {
            var bytes = (byte[])model.Clone();
            string kind;
            switch (i % 4)
            {
                case 0:
                    kind = "truncated";
                    bytes = bytes[..rng.Next(bytes.Length)];
                    break;
                case 1:
                    kind = "flipped";
                    for (int f = 0; f < 1 + rng.Next(8); f++) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 2:
                    kind = "zeroed";
                    int start = rng.Next(bytes.Length), length = Math.Min(bytes.Length - start, 1 + rng.Next(512));
                    Array.Clear(bytes, start, length);
                    break;
                default:
                    kind = "duplicated";
                    int from = rng.Next(bytes.Length - 64), size = 1 + rng.Next(64), at = rng.Next(bytes.Length);
                    bytes = [.. bytes[..at], .. bytes[from..(from + size)], .. bytes[at..]];
                    break;
            }
            string path = Write(dir, $"{kind}{i}.onnx", bytes);
            string output = Path.Combine(dir, $"out{i}.json");
            Check($"{kind} model {i}", output, i % 2 == 0 ? ["inspect", path] : ["cluster", path, "-k", "4", "--out", output]);
        }

        // Structural: initializers with wrong, huge or negative dims, missing or doubled; cycles; empty graphs.
        var structural = ModelMutants.Of(model);
        foreach (var (name, mutant) in structural)
        {
            string path = Write(dir, $"{name.Replace(' ', '-')}.onnx", mutant);
            string output = Path.Combine(dir, $"{name.Replace(' ', '-')}-graph");
            Check(name, output, "inspect", path);
            Check(name, output, "graph", path, "--out", output);
        }

        // Datasets for a tiny model that reads [N, 1, 2] examples of 2 classes.
        string tiny = Commands.TinyModels.TwoPathways();
        string sets = Write(dir, "sets.json", """{"sets": [{"id": "a", "layer": "fc1", "units": [0, 1]}]}"""u8.ToArray());
        byte[] images = IdxBytes.Of([4, 1, 2], [9, 1, 1, 9, 8, 0, 0, 8]), labels = IdxBytes.Of([4], [0, 1, 0, 1]);
        var datasets = new (string Name, byte[] Images, byte[] Labels)[]
        {
            ("truncated images", images[..^3], labels),
            ("truncated labels", images, labels[..^1]),
            ("wrong magic", [0x12, 0x34, .. images[2..]], labels),
            ("label out of range", images, IdxBytes.Of([4], [0, 1, 7, 1])),
            ("mismatched counts", images, IdxBytes.Of([3], [0, 1, 0])),
            ("huge dims", [.. images[..4], 0x7f, 0xff, 0xff, 0xff, .. images[8..]], labels),
            ("empty", [], []),
        };
        foreach (var (name, imageBytes, labelBytes) in datasets)
        {
            string data = $"idx:{Write(dir, $"{name.Replace(' ', '-')}-images", imageBytes)},{Write(dir, $"{name.Replace(' ', '-')}-labels", labelBytes)}";
            string output = Path.Combine(dir, $"{name.Replace(' ', '-')}-lesion.json");
            Check(name, output, "lesion", tiny, "--data", data, "--sets", sets, "--out", output);
        }
        string npz = Write(dir, "cut.npz", File.ReadAllBytes(Write(dir, "seed.bin", new byte[64])));
        Check("not a zip npz", Path.Combine(dir, "npz.json"), "lesion", tiny, "--data", $"npz:{npz}", "--sets", sets, "--out", Path.Combine(dir, "npz.json"));
        string folder = Path.Combine(dir, "jpegs", "a");
        Directory.CreateDirectory(folder);
        Write(folder, "broken.jpg", [0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
        Write(folder, "garbage.png", "not a png"u8.ToArray());
        Check("corrupt JPEG", Path.Combine(dir, "jpeg.json"), "lesion", tiny, "--data", $"folder:{Path.Combine(dir, "jpegs")}", "--sets", sets,
            "--out", Path.Combine(dir, "jpeg.json"));

        // Sets files.
        string[] badSets =
        [
            "", "{", "[]", "{\"sets\": 3}", "{\"sets\": [{\"id\": 1, \"layer\": \"fc1\", \"units\": \"abc\"}]}",
            "{\"sets\": [{\"layer\": \"fc1\", \"units\": [-1]}]}", "{\"sets\": [{\"layer\": \"nope\", \"units\": [0]}]}",
            "{\"sets\": [{\"layer\": \"fc1\", \"units\": [99999999999]}]}", "{\"layers\": 5}", "null",
        ];
        var good = $"idx:{Write(dir, "images", images)},{Write(dir, "labels", labels)}";
        foreach (var (text, i) in badSets.Select((t, i) => (t, i)))
        {
            string path = Write(dir, $"bad-sets{i}.json", System.Text.Encoding.UTF8.GetBytes(text));
            string output = Path.Combine(dir, $"bad-sets{i}-out.json");
            Check($"sets file {text}", output, "lesion", tiny, "--data", good, "--sets", path, "--out", output);
        }

        // Manifests for reproduce.
        string[] badManifests =
        [
            "", "{", "{\"models\": 1}", "{\"models\": [{\"file\": \"nope.onnx\", \"family\": \"mnist-mlp\", \"dataset\": \"mnist\"}]}",
            "{\"models\": [{\"family\": \"mnist-mlp\"}]}", "{\"models\": [{\"file\": 3, \"family\": \"mnist-mlp\", \"dataset\": \"mnist\"}]}",
            "{\"models\": []}",
        ];
        foreach (var (text, i) in badManifests.Select((t, i) => (t, i)))
        {
            string replicates = Path.Combine(dir, $"replicates{i}");
            Directory.CreateDirectory(replicates);
            Write(replicates, "manifest.json", System.Text.Encoding.UTF8.GetBytes(text));
            string output = Path.Combine(dir, $"reproduce{i}");
            Check($"manifest {text}", output, "reproduce", "--fast", "--replicates", replicates, "--out", output);
        }

        log.WriteLine($"{cases} cases in {clock.Elapsed.TotalSeconds:F1} s; exit codes: " +
                      string.Join(", ", exitCodes.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")));
    }
}
