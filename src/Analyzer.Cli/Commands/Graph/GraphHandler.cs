using Analyzer.Core.Analysis;
using Analyzer.Core.Graphs;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>Builds the graph of a model and writes it (adjacency.npy dense, or adjacency.npz sparse) and nodes.json.</summary>
public static class GraphHandler
{
    /// <summary>Above this many nodes `--format auto` writes the sparse form (a dense float64 matrix would pass 512 MiB).</summary>
    public const int DenseLimit = 8192;

    public static int Run(string modelPath, string edges, string outDir, int seed, ActivationRequest activations, string format,
        TextWriter output, TextWriter error)
    {
        var network = ModelNetwork.Load(modelPath);
        var (layout, graph, _) = GraphSource.Build(network, edges, activations, seed, error);
        Directory.CreateDirectory(outDir);
        bool sparse = format == "sparse" || (format == "auto" && graph.N > DenseLimit);
        string file = Path.Combine(outDir, sparse ? "adjacency.npz" : "adjacency.npy");
        foreach (var stale in new[] { "adjacency.npy", "adjacency.npz" }.Select(f => Path.Combine(outDir, f)).Where(f => f != file && File.Exists(f)))
            File.Delete(stale);
        string written;
        if (sparse)
        {
            var (pointers, columns, values) = graph.ToCsr();
            NpzFile.WriteCsr(file, graph.N, graph.N, pointers, columns, values);
            written = $"{graph.N} x {graph.N} sparse, {values.Length} stored entries; scipy.sparse.load_npz reads it";
        }
        else
        {
            NpyFile.WriteMatrix(file, graph.ToDense(), graph.N, graph.N);
            written = $"{graph.N} x {graph.N}";
        }
        var degrees = graph.Degrees();
        var invalid = Enumerable.Range(0, graph.N).Where(i => degrees[i] <= 0).ToList();
        var nodes = new NodesDocument(CommandRunner.Display(modelPath), network.Sha256, AnalyzerInfo.Version, seed, edges,
            graph.N, Layers(layout), invalid);
        JsonFiles.Write(Path.Combine(outDir, "nodes.json"), nodes);
        output.WriteLine($"wrote {CommandRunner.Display(file)} ({written}, {invalid.Count} invalid nodes) and nodes.json");
        return ExitCodes.Success;
    }

    /// <summary>The node sets a graph holds, at their offsets in it.</summary>
    public static List<NodeSetEntry> Layers(GraphLayout layout) =>
        layout.Sets.Select((s, i) => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, layout.Offsets[i])).ToList();
}
