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

    public static ParallelOptions Options(int requested = -1) =>
        new() { MaxDegreeOfParallelism = requested > 0 ? Math.Min(requested, maxThreads) : maxThreads };
}
