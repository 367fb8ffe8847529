namespace Analyzer.Kernels;

/// <summary>How many threads the CPU kernels may use (the command line's --threads); default: every core.</summary>
public static class Parallelism
{
    private static int maxThreads = Environment.ProcessorCount;

    public static int MaxThreads
    {
        get => maxThreads;
        set => maxThreads = value > 0 ? value : Environment.ProcessorCount;
    }

    /// <summary>Threads each of <paramref name="streams"/> concurrent ONNX Runtime runs gets: <paramref name="threads"/>
    /// (the --threads total) shared among them, at least one; with no total asked, one per stream when there are
    /// several, else 0 (ONNX Runtime's default).</summary>
    public static int PerStream(int threads, int streams) => threads > 0 ? Math.Max(1, threads / streams) : streams > 1 ? 1 : 0;

    public static ParallelOptions Options(int requested = -1) =>
        new() { MaxDegreeOfParallelism = requested > 0 ? Math.Min(requested, maxThreads) : maxThreads };
}
