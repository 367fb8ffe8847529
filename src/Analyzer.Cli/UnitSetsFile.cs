using Analyzer.Core.Analysis;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli;

/// <summary>One set of units named in a sets file: its id, its node set and its distinct units.</summary>
public sealed record UnitSet(string Id, string Layer, NodeSet NodeSet, int[] Units);

/// <summary>Reads the sets file of `lesion` and `visualize` ({"sets": [{"id", "layer", "units"}]}), checking every layer
/// and unit against the model; problems are one-line <see cref="DataFormatException"/>s naming the file.</summary>
public static class UnitSetsFile
{
    public static IReadOnlyList<UnitSet> Read(string path, ModelNetwork network)
    {
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: file not found");
        SetsDocument document;
        try
        {
            document = JsonFiles.Read<SetsDocument>(path);
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
        return result;
    }
}
