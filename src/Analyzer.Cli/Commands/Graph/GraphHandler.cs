using Analyzer.Core.Analysis;
using Analyzer.Core.Graphs;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>Builds the weight graph of a model and writes adjacency.npy and nodes.json.</summary>
public static class GraphHandler
{
    public static int Run(string modelPath, string edges, string outDir, int seed, ActivationRequest activations, TextWriter output,
        TextWriter error)
    {
        var network = ModelNetwork.Load(modelPath);
        var (layout, graph, _) = GraphSource.Build(network, edges, activations, seed, error);
        Directory.CreateDirectory(outDir);
        NpyFile.WriteMatrix(Path.Combine(outDir, "adjacency.npy"), graph.Adjacency, graph.N, graph.N);
        var degrees = graph.Degrees();
        var invalid = Enumerable.Range(0, graph.N).Where(i => degrees[i] <= 0).ToList();
        var nodes = new NodesDocument(CommandRunner.Display(modelPath), network.Sha256, AnalyzerInfo.Version, seed, edges,
            graph.N, Layers(layout), invalid);
        JsonFiles.Write(Path.Combine(outDir, "nodes.json"), nodes);
        output.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "adjacency.npy"))} ({graph.N} x {graph.N}, {invalid.Count} invalid nodes) and nodes.json");
        return ExitCodes.Success;
    }

    /// <summary>The node sets a graph holds, at their offsets in it.</summary>
    public static List<NodeSetEntry> Layers(GraphLayout layout) =>
        layout.Sets.Select((s, i) => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, layout.Offsets[i])).ToList();
}
