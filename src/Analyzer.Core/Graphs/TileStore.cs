using Microsoft.Win32.SafeHandles;

namespace Analyzer.Core.Graphs;

/// <summary>
/// Where a <see cref="TiledGraph"/> keeps its float32 tiles: in memory, or, for a graph larger than the memory budget,
/// in a temporary file read back tile by tile (docs/design.md, activation graphs). The file is unlinked as soon as it
/// is open, so nothing is left behind however the process ends. Reads and writes of different tiles may run in
/// parallel.
/// </summary>
public abstract class TileStore : IDisposable
{
    protected TileStore(int tiles, int tileValues) => (Tiles, TileValues) = (tiles, tileValues);

    public int Tiles { get; }
    public int TileValues { get; }

    /// <summary>Whether the tiles live in a file rather than in memory.</summary>
    public abstract bool OnDisk { get; }

    public abstract void Write(int tile, ReadOnlySpan<float> values);
    public abstract void Read(int tile, Span<float> values);
    public virtual void Dispose() => GC.SuppressFinalize(this);

    public static TileStore InMemory(int tiles, int tileValues) => new MemoryTiles(tiles, tileValues);

    /// <summary>A store in a new file under <paramref name="folder"/>; an <see cref="IOException"/> naming the folder
    /// when its disk has no room for every tile.</summary>
    public static TileStore InFile(int tiles, int tileValues, string folder)
    {
        long bytes = 4L * tiles * tileValues;
        long free = new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;
        if (bytes > free)
            throw new IOException($"{folder}: the graph's tiles need {bytes / (double)(1L << 30):F1} GiB on disk beyond the memory budget, " +
                                  $"but it has {free / (double)(1L << 30):F1} GiB free; set TMPDIR to a larger disk or raise --memory-budget");
        return new FileTiles(tiles, tileValues, folder);
    }

    private sealed class MemoryTiles(int tiles, int tileValues) : TileStore(tiles, tileValues)
    {
        private readonly float[][] values = new float[tiles][];

        public override bool OnDisk => false;
        public override void Write(int tile, ReadOnlySpan<float> source) => values[tile] = source[..TileValues].ToArray();
        public override void Read(int tile, Span<float> destination) => values[tile].CopyTo(destination);
    }

    private sealed class FileTiles : TileStore
    {
        private readonly SafeFileHandle handle;

        public FileTiles(int tiles, int tileValues, string folder) : base(tiles, tileValues)
        {
            string path = Path.Combine(folder, $"analyzer-tiles-{Guid.NewGuid():N}.bin");
            handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
            if (!OperatingSystem.IsWindows()) File.Delete(path);
        }

        public override bool OnDisk => true;

        public override void Write(int tile, ReadOnlySpan<float> source) =>
            RandomAccess.Write(handle, System.Runtime.InteropServices.MemoryMarshal.AsBytes(source[..TileValues]), Offset(tile));

        public override void Read(int tile, Span<float> destination)
        {
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination[..TileValues]);
            long offset = Offset(tile);
            while (bytes.Length > 0)
            {
                int read = RandomAccess.Read(handle, bytes, offset);
                if (read <= 0) throw new IOException($"the graph's tile file ended early at byte {offset}");
                bytes = bytes[read..];
                offset += read;
            }
        }

        private long Offset(int tile) => 4L * tile * TileValues;

        public override void Dispose()
        {
            handle.Dispose();
            base.Dispose();
        }
    }
}
