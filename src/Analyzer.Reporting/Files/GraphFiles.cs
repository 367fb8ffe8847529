using Analyzer.Core.Graphs;

namespace Analyzer.Reporting.Files;

/// <summary>How `graph` stores a graph: adjacency.npy (dense float64 n x n) or adjacency.npz (scipy.sparse CSR).</summary>
public enum GraphFormat
{
    /// <summary>Dense up to <see cref="GraphFiles.DenseLimit"/> nodes, above that whichever file is smaller.</summary>
    Auto,
    Dense,
    Sparse,
}

/// <summary>Writes a neuron graph's adjacency in the form <see cref="GraphFormat"/> asks for, after checking the disk has
/// room for it; a graph that does not fit is an <see cref="IOException"/> naming the file, its size and the room.</summary>
public static class GraphFiles
{
    /// <summary>Up to this many nodes <see cref="GraphFormat.Auto"/> writes the dense form (at most 512 MiB).</summary>
    public const int DenseLimit = 8192;

    /// <summary>Writes the adjacency into <paramref name="folder"/> (removing the other form's stale file) and returns the
    /// file's path and what it holds, in a few words; <paramref name="log"/> hears of files over 1 GiB before they are written.</summary>
    public static (string File, string Written) WriteAdjacency(string folder, WeightedGraph graph, GraphFormat format, TextWriter log)
    {
        long denseBytes = 8L * graph.N * graph.N + 128;
        // A dense graph's non-zeros are counted only when the sparse form is in question.
        bool sparseConsidered = format == GraphFormat.Sparse || (format == GraphFormat.Auto && graph.N > DenseLimit);
        long[]? densePointers = sparseConsidered && graph is DenseGraph d ? NpzFile.RowPointersOfDense(d.Adjacency, d.N, d.N) : null;
        long stored = densePointers?[^1] ?? graph.StoredEntries;
        long sparseBytes = NpzFile.CsrBytes(graph.N, stored);
        bool sparse = format == GraphFormat.Sparse || (sparseConsidered && sparseBytes < denseBytes);
        string file = Path.Combine(folder, sparse ? "adjacency.npz" : "adjacency.npy");
        long bytes = sparse ? sparseBytes : denseBytes;
        long free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        if (bytes > free)
            throw new IOException($"{Core.Files.DisplayPath.Of(file)}: the graph needs {Size(bytes)} but {Core.Files.DisplayPath.Of(folder)} has {Size(free)} free");
        if (bytes > 1L << 30)
            log.WriteLine($"writing {Core.Files.DisplayPath.Of(file)}: {Size(bytes)}...");
        foreach (var stale in new[] { "adjacency.npy", "adjacency.npz" }.Select(f => Path.Combine(folder, f)).Where(f => f != file && File.Exists(f)))
            File.Delete(stale);
        if (sparse && graph is DenseGraph dense)
        {
            NpzFile.WriteDenseAsCsr(file, dense.Adjacency, dense.N, dense.N, densePointers);
            return (file, $"{graph.N} x {graph.N} sparse, {stored} stored entries; scipy.sparse.load_npz reads it");
        }
        if (sparse)
        {
            var (pointers, columns, values) = graph.ToCsr();
            NpzFile.WriteCsr(file, graph.N, graph.N, pointers, columns, values);
            return (file, $"{graph.N} x {graph.N} sparse, {values.Length} stored entries; scipy.sparse.load_npz reads it");
        }
        if (graph is TiledGraph tiled)
            NpyFile.WriteMatrix(file, graph.N, graph.N, TiledGraph.TileSize, tiled.CopyRows);
        else
            NpyFile.WriteMatrix(file, graph.ToDense(), graph.N, graph.N);
        return (file, $"{graph.N} x {graph.N}");
    }

    private static string Size(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1 << 20):F0} MiB";
}
