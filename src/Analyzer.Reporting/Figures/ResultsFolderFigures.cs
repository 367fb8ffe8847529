using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Clustering;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Pipeline;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Images;
using Analyzer.Reporting.Plots;

namespace Analyzer.Reporting.Figures;

/// <summary>A run's pictures as PNG files beside results.json, where the report finds them: visualisations/KEY/ and
/// correlations/KEY/ (one grid per subcluster), figures/adjacency-KEY.png.</summary>
public sealed class ResultsFolderFigures(string folder, bool bgr) : IAnalysisFigures
{
    /// <summary>One PNG per subcluster: its visualisation framed, then its controls' (like the paper's Figure 6).</summary>
    public void Visualisations(string partitioningKey, IReadOnlyList<SubclusterVisualisations> pictures)
    {
        foreach (var picture in pictures)
        {
            var s = picture.Subcluster;
            PngFiles.WriteGrid(Path.Combine(folder, "visualisations", partitioningKey, $"{FileNames.Safe(s.Layer)}-cluster{s.Cluster}.png"),
                picture.Images.Select(i => new PixelImage(i.Image, i.Channels, i.Height, i.Width, bgr)).ToList());
        }
    }

    /// <summary>One PNG per first-layer subcluster: its aligned correlation image framed, then its controls' (grey 0,
    /// white the largest |correlation| of each image, black its negation).</summary>
    public void Correlations(string partitioningKey, IReadOnlyList<(Subcluster Subcluster, IReadOnlyList<double[]> Images)> pictures,
        CorrelationAnalysis.NodeSetInfo layer)
    {
        foreach (var (s, images) in pictures)
        {
            var pixels = images.Select(image =>
            {
                double max = image.Max(v => Math.Abs(v));
                return new PixelImage(image.Select(v => (float)(max > 0 ? 0.5 + 0.5 * v / max : 0.5)).ToArray(), 1, layer.Height, layer.Width);
            }).ToList();
            PngFiles.WriteGrid(Path.Combine(folder, "correlations", partitioningKey, $"{FileNames.Safe(s.Layer)}-cluster{s.Cluster}.png"), pixels);
        }
    }

    /// <summary>The partition's adjacency sorted by cluster, for the report.</summary>
    public void Adjacency(string partitioningKey, WeightedGraph graph, GraphLayout layout, NetworkPartitioning partitioning)
    {
        string path = Path.Combine(folder, "figures", $"adjacency-{partitioningKey}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, ReportPlots.SortedAdjacency(graph, AdjacencyOrder.Positions(layout, partitioning),
            $"{partitioningKey}: adjacency sorted by cluster ({partitioning.Layers.Sum(l => l.Clusters)} clusters)"));
    }
}
