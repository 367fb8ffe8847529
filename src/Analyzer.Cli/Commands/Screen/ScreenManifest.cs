using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Analyzer.Cli.Commands.Analyze;
using Analyzer.Core.Datasets;
using Analyzer.Core.Errors;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Commands.Screen;

/// <summary>
/// Reads a screen manifest into a <see cref="ScreenPlan"/>: {"models": [{"model", "data", "name", "scale", "mean", "std"}],
/// OPTION: VALUE, ..., "clusterability": N}. Every other top-level key is an option of `analyze` under its long name,
/// given to `analyze`'s own parser (so a manifest takes exactly the options and values analyze takes); model paths are
/// relative to the manifest. Problems are one-line data errors naming the manifest.
/// </summary>
public static class ScreenManifest
{
    private const string Models = "models", Clusterability = "clusterability";

    public static ScreenPlan Read(string path, string outDir)
    {
        if (!File.Exists(path)) throw new DataFormatException($"{CommandRunner.Display(path)}: file not found");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        string where = CommandRunner.Display(path);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(Models, out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            throw new DataFormatException($"{where}: expected {{\"models\": [{{\"model\": PATH, \"data\": SPEC}}, ...], options...}} with at least one model");
        var options = new AnalyzeOptions();
        var byKey = options.Manifest.ToDictionary(o => o.Aliases.Prepend(o.Name).First(a => a.StartsWith("--", StringComparison.Ordinal))[2..]);
        var command = new Command("manifest");
        options.AddTo(command);
        var tokens = new List<string>();
        var given = new Dictionary<string, string>();
        int shuffles = ScreenPlan.DefaultShuffles;
        foreach (var property in root.EnumerateObject().Where(p => p.Name != Models))
        {
            if (property.Name == Clusterability)
                shuffles = property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out int n) ? n
                    : throw new DataFormatException($"{where}: '{Clusterability}' must be a whole number");
            else if (byKey.ContainsKey(property.Name))
            {
                given[$"--{property.Name}"] = Text(property.Value, where, property.Name);
                tokens.AddRange([$"--{property.Name}", given[$"--{property.Name}"]]);
            }
            else
                throw new DataFormatException($"{where}: '{property.Name}' is not an analyze option; use: {string.Join(", ", byKey.Keys.Append(Clusterability))}");
        }
        var parse = command.Parse(tokens);
        if (parse.Errors.FirstOrDefault() is { } error)
        {
            string? flag = (error.SymbolResult as System.CommandLine.Parsing.OptionResult)?.Option is { } option
                ? given.Keys.FirstOrDefault(k => k == option.Name || option.Aliases.Contains(k)) : null;
            throw new DataFormatException($"{where}: " + (flag is null ? "" : $"'{flag[2..]}' is '{given[flag]}': ") + error.Message);
        }
        var shared = options.Plan(parse);
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var models = list.EnumerateArray().Select((m, i) => Model(m, i, where, folder)).ToList();
        foreach (var duplicate in models.GroupBy(m => m.Name).Where(g => g.Count() > 1))
            throw new DataFormatException($"{where}: two models are named '{duplicate.Key}'; give each a \"name\"");
        return new ScreenPlan
        {
            Models = models, Options = shared, Out = outDir, Clusterability = shuffles, Source = where,
            Edges = root.TryGetProperty("edges", out _) ? shared.Edges : null,
            Measures = root.TryGetProperty("measures", out _) ? shared.Measures : null,
        };
    }

    private static ScreenedModel Model(JsonElement m, int i, string where, string baseDir)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("model", out var path) || path.ValueKind != JsonValueKind.String)
            throw new DataFormatException($"{where}: model {i} needs \"model\": PATH");
        string file = Path.IsPathRooted(path.GetString()!) || File.Exists(path.GetString()!) ? path.GetString()! : Path.Combine(baseDir, path.GetString()!);
        if (!File.Exists(file)) throw new DataFormatException($"{where}: model {i}: {path.GetString()} not found");
        string? String(string key) => m.TryGetProperty(key, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()
            : throw new DataFormatException($"{where}: model {i}: \"{key}\" must be a string") : null;
        IReadOnlyList<double>? Values(string key) => m.TryGetProperty(key, out var v)
            ? v.ValueKind == JsonValueKind.Number ? [v.GetDouble()]
            : v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number) ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray()
            : throw new DataFormatException($"{where}: model {i}: \"{key}\" must be a number or a list of numbers")
            : null;
        var preprocessing = Preprocessing.Default with
        {
            Scale = Values("scale")?[0] ?? Preprocessing.Default.Scale,
            Mean = Values("mean") ?? Preprocessing.Default.Mean,
            Std = Values("std") ?? Preprocessing.Default.Std,
        };
        if (preprocessing.Std.Any(s => s == 0) || !(preprocessing.Scale > 0))
            throw new DataFormatException($"{where}: model {i}: \"std\" must be non-zero and \"scale\" positive");
        return new ScreenedModel(String("name") ?? Path.GetFileNameWithoutExtension(file), file, String("data"), preprocessing);
    }

    /// <summary>An option's value as the command line would give it: lists comma-joined, numbers invariant.</summary>
    private static string Text(JsonElement value, string where, string key) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(v => Text(v, where, key))),
        _ => throw new DataFormatException($"{where}: '{key}' must be a string, a number or a list"),
    };
}
