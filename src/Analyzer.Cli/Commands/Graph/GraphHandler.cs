using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Results;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>Builds the graph of a model and writes it (adjacency.npy dense, or adjacency.npz sparse) and nodes.json.</summary>
public static class GraphHandler
{
    public static int Run(string modelPath, EdgeKind edges, string outDir, int seed, ActivationRequest activations, GraphFormat format,
        TextWriter output, TextWriter error, Onnx.InputShapes? inputShapes = null)
    {
        OutputLocation.Folder(outDir);
        var network = GraphSource.Model(modelPath, edges, activations, inputShapes, seed);
        var (layout, graph, _) = GraphSource.Build(network, edges, activations, seed, error);
        Directory.CreateDirectory(outDir);
        var (file, written) = GraphFiles.WriteAdjacency(outDir, graph, format, error);
        var degrees = graph.Degrees();
        var invalid = Enumerable.Range(0, graph.N).Where(i => degrees[i] <= 0).ToList();
        var nodes = new NodesDocument(CommandRunner.Display(modelPath), network.Sha256, AnalyzerInfo.Version, seed, edges.Name(),
            graph.N, NodeSetEntry.Of(layout), invalid);
        JsonFiles.Write(Path.Combine(outDir, "nodes.json"), nodes);
        output.WriteLine($"wrote {CommandRunner.Display(file)} ({written}, {invalid.Count} invalid nodes) and nodes.json");
        return ExitCodes.Success;
    }
}
