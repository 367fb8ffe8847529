namespace Analyzer.TestSupport;

/// <summary>
/// Fresh directories under the system temp folder for files tests write, removed when the test process exits, and
/// directories of earlier runs older than a day removed on first use (a test host that is stopped without exiting
/// leaves its own): a local run used to leave gigabytes of graphs and models behind. Set ANALYZER_KEEP_TEST_FILES=1 to
/// keep them for a look.
/// </summary>
public static class TempDirectory
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "analyzer-tests");
    private static readonly List<string> Created = [];

    static TempDirectory()
    {
        if (Environment.GetEnvironmentVariable("ANALYZER_KEEP_TEST_FILES") == "1") return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Created) Remove(Created);
        };
        if (Directory.Exists(Root))
            Remove(Directory.GetDirectories(Root).Where(d => Directory.GetLastWriteTimeUtc(d) < DateTime.UtcNow.AddDays(-1)));
    }

    public static string Create()
    {
        string dir = Path.Combine(Root, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        lock (Created) Created.Add(dir);
        return dir;
    }

    private static void Remove(IEnumerable<string> dirs)
    {
        foreach (string dir in dirs)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a file still open elsewhere stays.
            }
        }
    }
}
