using System.Runtime.InteropServices;

namespace Analyzer.Onnx.Inference;

/// <summary>
/// Keeps the native heap from holding on to freed tensors (docs/design.md, "Memory"). ONNX Runtime allocates each
/// run's tensors with malloc; glibc serves large blocks by mmap but raises that threshold after each such block is
/// freed, so later blocks of the size of a batch come from the heap and stay resident after they are freed: a lesion
/// run of the Fashion-MNIST CNN peaked at 1.1 GB instead of 0.64 GB. Fixing the threshold at 4 MiB keeps batch-sized
/// blocks mapped (returned to the system when freed) and smaller ones on the heap (a fixed 128 KiB slowed the MLP's many
/// small runs by mapping every tensor). Elsewhere (no glibc) nothing is done.
/// </summary>
public static class NativeHeap
{
    private const int MmapThreshold = -3;
    private static int configured;

    /// <summary>Sets glibc's mmap threshold to 4 MiB, once per process.</summary>
    public static void ReturnLargeBlocks()
    {
        if (Interlocked.Exchange(ref configured, 1) == 1 || !OperatingSystem.IsLinux()) return;
        try
        {
            Mallopt(MmapThreshold, 4 << 20);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for nothing gained here (two ints)
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
#pragma warning restore SYSLIB1054
}
