using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Analyzer.Onnx;

/// <summary>
/// A file mapped read-only into memory, as <see cref="Memory{T}"/>: a model's weights are then read where the page cache
/// holds them, with no copy and no fresh memory to fault in (reading a 553 MB VGG-16 into an array took 0.38 s, most of
/// it the kernel zeroing and mapping new pages). The mapping lasts as long as the process (see
/// <see cref="Dispose(bool)"/>).
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedViewAccessor view;
    private readonly byte* start;
    private readonly int length;

    private MappedFile(MemoryMappedViewAccessor view, int length)
    {
        this.view = view;
        this.length = length;
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        start = pointer + view.PointerOffset;
    }

    /// <summary>The bytes of <paramref name="path"/> (an empty file gives an empty block; one over 2 GiB is refused).</summary>
    public static ReadOnlyMemory<byte> Map(string path)
    {
        long size = new FileInfo(path).Length;
        if (size > Array.MaxLength)
            throw new IOException($"{size} bytes is more than one block of memory holds");
        if (size == 0) return ReadOnlyMemory<byte>.Empty;
        // The file handle and the mapping object can close once the view exists; the view keeps the pages.
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        var view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
        return new MappedFile(view, (int)size).Memory;
    }

    public override Span<byte> GetSpan() => new(start, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(start + elementIndex);

    public override void Unpin()
    {
    }

    /// <summary>Never called by Analyzer: a Span of the bytes may outlive every reference to this object, so the mapping
    /// is not tied to the collector (no finalizer) and lasts as long as the process. It holds page-cache pages, which the
    /// kernel reclaims under pressure, not memory of the process's own.</summary>
    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        view.SafeMemoryMappedViewHandle.ReleasePointer();
        view.Dispose();
    }
}
