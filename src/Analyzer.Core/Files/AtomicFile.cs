using System.Text;

namespace Analyzer.Core.Files;

/// <summary>
/// Writes a file so that it is either absent, its old self or whole: into a temporary file beside it, flushed to disk,
/// then renamed over the target (docs/design.md). A run killed at any moment leaves no half-written output for a
/// resumed run or a reader to trip on; a failed write removes its temporary file.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (directory is not null) Directory.CreateDirectory(directory);
        string temporary = $"{full}.tmp-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));
}
