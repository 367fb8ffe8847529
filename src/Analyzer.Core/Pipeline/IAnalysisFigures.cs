using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Pipeline;

/// <summary>Where a run's pictures go: the feature visualisations and correlation images of each analysed subcluster and
/// each partition's sorted adjacency. The pipeline computes them; drawing and encoding them is the caller's (the CLI
/// writes PNG files beside results.json).</summary>
public interface IAnalysisFigures
{
    void Visualisations(string partitioningKey, IReadOnlyList<SubclusterVisualisations> pictures);

    void Correlations(string partitioningKey, IReadOnlyList<(Subcluster Subcluster, IReadOnlyList<double[]> Images)> pictures,
        CorrelationAnalysis.NodeSetInfo layer);

    void Adjacency(string partitioningKey, WeightedGraph graph, GraphLayout layout, NetworkPartitioning partitioning);
}
