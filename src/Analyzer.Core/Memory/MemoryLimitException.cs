namespace Analyzer.Core.Memory;

/// <summary>
/// A computation this model needs would not fit in the memory this process can use; thrown before any of it is
/// allocated, with the size it needs, what there is, and what to do instead.
/// </summary>
public sealed class MemoryLimitException(string message) : Exception(message)
{
    /// <summary>The memory this process can use: the machine's, or its container's limit.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Bytes as people read them (GiB, one decimal).</summary>
    public static string GiB(double bytes) => $"{bytes / (1L << 30):0.0} GiB";
}
