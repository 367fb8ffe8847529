using Analyzer.Core.Errors;
namespace Analyzer.Cli;

/// <summary>
/// Checks, before any work, that a verb can write where --out points: a folder where a folder is written, a file where
/// a file is, and permission to create it. Otherwise the problem would show only after the work, as a raw .NET message.
/// </summary>
public static class OutputLocation
{
    public static void Folder(string path, string option = "--out")
    {
        if (System.IO.File.Exists(path))
            throw new UsageException($"{option}: {CommandRunner.Display(path)} is a file; this verb writes a folder there");
        Probe(path, option);
    }

    public static void File(string path, string option = "--out")
    {
        if (Directory.Exists(path))
            throw new UsageException($"{option}: {CommandRunner.Display(path)} is a folder; this verb writes a file there");
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (parent is not null) Probe(parent, option);
        if (System.IO.File.Exists(path))
        {
            try
            {
                using var _ = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new UsageException($"{option}: {CommandRunner.Display(path)} cannot be overwritten ({e.Message})");
            }
        }
    }

    private static void Probe(string folder, string option)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".analyzer-write-check-{Environment.ProcessId}");
            System.IO.File.WriteAllBytes(probe, []);
            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new UsageException($"{option}: cannot write in {CommandRunner.Display(folder)} ({e.Message})");
        }
    }
}
