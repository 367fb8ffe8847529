namespace Analyzer.TestSupport;

/// <summary>Locates the repository's committed models and the shared data folder beside the repository.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Analyzer.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Analyzer.sln not found above the test binaries");
    }

    public static string Models => Path.Combine(Root, "onnx-models");
    public static string Model(string file) => Path.Combine(Models, file);

    /// <summary>A small per-family test model exported by tools/export_torchvision.py --tiny (tests/models).</summary>
    public static string TestModel(string file) => Path.Combine(Root, "tests", "models", file);

    /// <summary>The shared data folder (../shared/data), or null when this checkout has none.</summary>
    public static string? SharedData
    {
        get
        {
            string path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            return Directory.Exists(path) ? path : null;
        }
    }
}
