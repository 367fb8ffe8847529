using System.Security.Cryptography;
using System.Text.Json;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Graphs;

public class ManifestTests
{
    [Fact]
    public void Every_committed_model_matches_its_manifest_sha256()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Models, "manifest.json")));
        var entries = doc.RootElement.GetProperty("models").EnumerateArray().ToList();
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            string file = entry.GetProperty("file").GetString()!;
            string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(RepositoryFiles.Model(file))));
            Assert.Equal(entry.GetProperty("sha256").GetString(), actual);
        }
        var onDisk = Directory.GetFiles(RepositoryFiles.Models, "*.onnx").Select(Path.GetFileName).Order();
        Assert.Equal(onDisk, entries.Select(e => e.GetProperty("file").GetString()).Order());
    }
}
