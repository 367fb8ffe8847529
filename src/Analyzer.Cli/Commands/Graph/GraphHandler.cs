using Analyzer.Core.Networks;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Graphs;
using Analyzer.Core.Files;
using Analyzer.Reporting.Files;

namespace Analyzer.Cli.Commands.Graph;

/// <summary>Builds the graph of a model and writes it (adjacency.npy dense, or adjacency.npz sparse) and nodes.json.</summary>
public static class GraphHandler
{
    /// <summary>Up to this many nodes `--format auto` writes the dense form (at most 512 MiB); above, the smaller one.</summary>
    public const int DenseLimit = 8192;

    public static int Run(string modelPath, string edges, string outDir, int seed, ActivationRequest activations, string format,
        TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(outDir);
        var network = ModelNetwork.Load(modelPath);
        var (layout, graph, _) = GraphSource.Build(network, edges, activations, seed, error);
        Directory.CreateDirectory(outDir);
        long denseBytes = 8L * graph.N * graph.N + 128;
        // A dense graph's non-zeros are counted only when the sparse form is in question.
        bool sparseConsidered = format == "sparse" || (format == "auto" && graph.N > DenseLimit);
        long[]? densePointers = sparseConsidered && graph is DenseGraph d ? NpzFile.RowPointersOfDense(d.Adjacency, d.N, d.N) : null;
        long stored = densePointers?[^1] ?? graph.StoredEntries;
        long sparseBytes = NpzFile.CsrBytes(graph.N, stored);
        bool sparse = format == "sparse" || (sparseConsidered && sparseBytes < denseBytes);
        string file = Path.Combine(outDir, sparse ? "adjacency.npz" : "adjacency.npy");
        long bytes = sparse ? sparseBytes : denseBytes;
        long free = new DriveInfo(Path.GetFullPath(outDir)).AvailableFreeSpace;
        if (bytes > free)
            throw new IOException($"{CommandRunner.Display(file)}: the graph needs {Size(bytes)} but {CommandRunner.Display(outDir)} has {Size(free)} free");
        if (bytes > 1L << 30)
            error.WriteLine($"writing {CommandRunner.Display(file)}: {Size(bytes)}...");
        foreach (var stale in new[] { "adjacency.npy", "adjacency.npz" }.Select(f => Path.Combine(outDir, f)).Where(f => f != file && File.Exists(f)))
            File.Delete(stale);
        string written;
        if (sparse && graph is DenseGraph dense)
        {
            NpzFile.WriteDenseAsCsr(file, dense.Adjacency, dense.N, dense.N, densePointers);
            written = $"{graph.N} x {graph.N} sparse, {stored} stored entries; scipy.sparse.load_npz reads it";
        }
        else if (sparse)
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

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1 << 20):F0} MiB";

    /// <summary>The node sets a graph holds, at their offsets in it.</summary>
    public static List<NodeSetEntry> Layers(GraphLayout layout) =>
        layout.Sets.Select((s, i) => new NodeSetEntry(s.Name, s.Kind.ToString().ToLowerInvariant(), s.Op, s.Units, layout.Offsets[i])).ToList();
}
