using System.Text.Json;
using Analyzer.Core.Errors;
using Analyzer.Core.Files;

namespace Analyzer.Core.Pipeline;

/// <summary>One replicate as the manifest lists it: its family (mnist-mlp, ...), its file and its dataset.</summary>
public sealed record Replicate(string Family, string File, string Dataset);

/// <summary>The replicates' manifest.json that tools/train_replicates.py writes: {"models": [{"file", "family",
/// "dataset", ...}]}, files relative to the manifest's folder.</summary>
public static class ReplicateManifest
{
    /// <summary>The replicates of FOLDER/manifest.json, in its order; a missing manifest is a usage error of
    /// <c>Replicates</c>, a malformed one or a listed file that is missing a data error naming the manifest.</summary>
    public static IReadOnlyList<Replicate> Read(string folder)
    {
        string path = Path.Combine(folder, "manifest.json");
        if (!File.Exists(path))
            throw new UsageException(nameof(ReproductionPlan.Replicates),
                $"{DisplayPath.Of(path)}: not found; train the replicates with tools/train_replicates.py or give another folder");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("models", out var models) ||
            models.ValueKind != JsonValueKind.Array)
            throw new DataFormatException($"{DisplayPath.Of(path)}: expected {{\"models\": [...]}}");
        return models.EnumerateArray().Select((m, i) =>
        {
            string Field(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                : throw new DataFormatException($"{DisplayPath.Of(path)}: model {i} has no \"{name}\"");
            string file = Path.Combine(folder, Field("file"));
            if (!File.Exists(file)) throw new DataFormatException($"{DisplayPath.Of(path)}: {DisplayPath.Of(file)} is listed but missing");
            return new Replicate(Field("family"), file, Field("dataset"));
        }).ToList();
    }
}
