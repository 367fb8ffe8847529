using Analyzer.Core.Results;
using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Graphs;
using Analyzer.Core.Files;

namespace Analyzer.Core.Pipeline;

/// <summary>One set of units named in a sets file: its id, its node set and its distinct units.</summary>
public sealed record UnitSet(string Id, string Layer, NodeSet NodeSet, int[] Units);

/// <summary>Reads the sets file of `lesion` and `visualize` ({"sets": [{"id", "layer", "units"}]}), or a clustering JSON
/// of `cluster` (one set per cluster of every analysable layer, id LAYER/cN), checking every layer and unit against the
/// model; problems, an empty file included, are one-line <see cref="DataFormatException"/>s
/// naming the file.</summary>
public static class UnitSetsFile
{
    public static IReadOnlyList<UnitSet> Read(string path, ModelNetwork network)
    {
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: file not found");
        SetsDocument document;
        try
        {
            document = IsClustering(path) ? FromClustering(path, network) : JsonFiles.Read<SetsDocument>(path);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new DataFormatException($"{path}: not a sets file ({e.Message.Split('.')[0]}); expected {{\"sets\": [{{\"id\", \"layer\", \"units\"}}]}}");
        }
        var analysable = network.Neurons.NodeSets.Where(s => s.Analysed).ToDictionary(s => s.Name);
        var result = new List<UnitSet>();
        foreach (var entry in document.Sets ?? [])
        {
            if (entry.Layer is null || !analysable.TryGetValue(entry.Layer, out var nodeSet))
                throw new DataFormatException($"{path}: set '{entry.Id}': layer '{entry.Layer}' is not an analysable node set; expected one of: {string.Join(", ", analysable.Keys)}");
            var units = (entry.Units ?? []).ToArray();
            int bad = Array.FindIndex(units, u => u < 0 || u >= nodeSet.Units);
            if (bad >= 0)
                throw new DataFormatException($"{path}: set '{entry.Id}': unit {units[bad]} is outside layer '{entry.Layer}' (0..{nodeSet.Units - 1})");
            result.Add(new UnitSet(entry.Id ?? $"set{result.Count}", entry.Layer, nodeSet, units.Distinct().ToArray()));
        }
        if (result.Count == 0)
            throw new DataFormatException($"{path}: no sets; expected {{\"sets\": [{{\"id\", \"layer\", \"units\"}}]}} or a clustering JSON of `cluster`");
        return result;
    }

    private static bool IsClustering(string path)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && !doc.RootElement.TryGetProperty("sets", out _) &&
               doc.RootElement.TryGetProperty("layers", out var layers) && layers.ValueKind == System.Text.Json.JsonValueKind.Array;
    }

    /// <summary>A clustering's clusters as sets: for each analysable layer, one set per label (invalid units left out).</summary>
    private static SetsDocument FromClustering(string path, ModelNetwork network)
    {
        var clustering = JsonFiles.Read<ClusteringDocument>(path);
        if (clustering.ModelSha256 != network.Sha256)
            throw new DataFormatException($"{path}: a clustering of another model (sha256 {clustering.ModelSha256[..12]}…, this one {network.Sha256[..12]}…)");
        var analysable = network.Neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToHashSet();
        var sets = clustering.Layers.Where(l => analysable.Contains(l.Name)).SelectMany(l => l.Labels
                .Select((label, unit) => (label, unit)).Where(p => p.label >= 0).GroupBy(p => p.label).OrderBy(g => g.Key)
                .Select(g => new UnitSetEntry($"{l.Name}/c{g.Key}", l.Name, g.Select(p => p.unit).ToList())))
            .ToList();
        return new SetsDocument(sets);
    }
}
