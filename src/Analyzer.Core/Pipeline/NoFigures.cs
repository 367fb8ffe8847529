using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;

namespace Analyzer.Core.Pipeline;

/// <summary>Figures nobody asked for.</summary>
public sealed class NoFigures : IAnalysisFigures
{
    public static readonly NoFigures Instance = new();

    public void Visualisations(string partitioningKey, IReadOnlyList<SubclusterVisualisations> pictures) { }

    public void Correlations(string partitioningKey, IReadOnlyList<(Subcluster Subcluster, IReadOnlyList<double[]> Images)> pictures,
        CorrelationAnalysis.NodeSetInfo layer) { }

    public void Adjacency(string partitioningKey, WeightedGraph graph, GraphLayout layout, NetworkPartitioning partitioning) { }
}
