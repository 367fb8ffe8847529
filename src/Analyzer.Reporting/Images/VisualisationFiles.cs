using Analyzer.Core.Results;
using Analyzer.Core.Visualisation;
using Analyzer.Reporting.Files;

namespace Analyzer.Reporting.Images;

/// <summary>`visualize`'s images: one PNG per set in the model's pixel domain, named after the set (made unique).</summary>
public static class VisualisationFiles
{
    /// <summary>Writes the images of <paramref name="results"/> (one per set, in order) into <paramref name="folder"/> and
    /// returns their scores.json entries.</summary>
    public static IReadOnlyList<VisualisationEntry> Write(string folder, IReadOnlyList<(string Id, string Layer, IReadOnlyList<int> Units)> sets,
        IReadOnlyList<VisualisationResult> results, bool bgr)
    {
        Directory.CreateDirectory(folder);
        var entries = new List<VisualisationEntry>();
        var used = new HashSet<string>();
        for (int i = 0; i < sets.Count; i++)
        {
            string name = FileNames.Safe(sets[i].Id);
            while (!used.Add(name)) name += "_";
            string file = $"{name}.png";
            var r = results[i];
            PngFiles.Write(Path.Combine(folder, file), new PixelImage(r.Image, r.Channels, r.Height, r.Width, bgr));
            entries.Add(new VisualisationEntry(sets[i].Id, sets[i].Layer, sets[i].Units, r.Score, r.Entropy, file));
        }
        return entries;
    }
}
