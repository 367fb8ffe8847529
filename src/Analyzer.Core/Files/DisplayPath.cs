namespace Analyzer.Core.Files;

/// <summary>A path as messages and files show it: relative to the current directory when inside it, else absolute.</summary>
public static class DisplayPath
{
    public static string Of(string path)
    {
        string full = Path.GetFullPath(path);
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
    }
}
