namespace Analyzer.Reporting.Files;

/// <summary>File names made from layer names ("/fc1/Gemm" becomes "fc1-Gemm").</summary>
public static class FileNames
{
    public static string Safe(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        string safe = new string(chars).Trim('-', '.');
        while (safe.Contains("--")) safe = safe.Replace("--", "-");
        return safe.Length == 0 ? "layer" : safe;
    }
}
