using System.Reflection;

namespace Analyzer.Core.Files;

/// <summary>The analyzer's version as written into every output file.</summary>
public static class AnalyzerInfo
{
    public static string Version { get; } =
        typeof(AnalyzerInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
