namespace Analyzer.TestSupport;

/// <summary>Fresh directories under the system temp folder for files tests write.</summary>
public static class TempDirectory
{
    public static string Create()
    {
        string dir = Path.Combine(Path.GetTempPath(), "analyzer-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
