namespace Analyzer.TestSupport;

/// <summary>
/// Approval tests of what users read (--help, table.md, comparison.md, reproduction.md): the text must equal the file
/// committed under tests/snapshots/. A change that is meant is approved by running the tests with
/// ANALYZER_UPDATE_SNAPSHOTS=1, which rewrites the files, and committing them; a missing file is written and the test
/// fails, so a new snapshot is always looked at once.
/// </summary>
public static class Snapshot
{
    public static string Folder => Path.Combine(RepositoryFiles.Root, "tests", "snapshots");

    public static void Match(string name, string actual)
    {
        string path = Path.Combine(Folder, name);
        actual = actual.Replace("\r\n", "\n");
        bool update = Environment.GetEnvironmentVariable("ANALYZER_UPDATE_SNAPSHOTS") is "1";
        if (update || !File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            if (!update)
                throw new Xunit.Sdk.XunitException($"tests/snapshots/{name} did not exist and was written; review it and commit it");
            return;
        }
        string expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        int line = Enumerable.Range(0, Math.Max(e.Length, a.Length)).First(i => i >= e.Length || i >= a.Length || e[i] != a[i]);
        throw new Xunit.Sdk.XunitException($"tests/snapshots/{name} differs at line {line + 1}:\n" +
            $"  expected: {(line < e.Length ? e[line] : "(end)")}\n  actual:   {(line < a.Length ? a[line] : "(end)")}\n" +
            "If the change is meant, run the tests with ANALYZER_UPDATE_SNAPSHOTS=1 and commit the files.");
    }
}
