using Analyzer.Core.Errors;
using Analyzer.Core.Measures;
using Analyzer.Core.Subclusters;
using System.Globalization;
using System.Text.Json;
using Analyzer.Cli.Commands.Analyze;
using Analyzer.Cli.Commands.Clusterability;
using Analyzer.Cli.Commands.Compare;
using Analyzer.Core.Clusterability;
using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Reporting.Comparison;

namespace Analyzer.Cli.Commands.Screen;

/// <summary>One model of a screen: its file, data (null: none), name and preprocessing.</summary>
public sealed record ScreenedModel(string Model, string? Data, string Name, Preprocessing Preprocessing);

/// <summary>Reads the manifest, analyzes each model into DIR/NAME (resuming finished partitionings), runs its
/// clusterability test, and writes the comparison.</summary>
public static class ScreenHandler
{
    private static readonly string[] OptionKeys =
        ["edges", "scope", "measures", "clusters", "random", "samples", "examples", "layers", "max-subclusters", "memory-budget", "compat", "seed", "device", "clusterability"];

    public static int Run(string manifestPath, string outDir, int threads, TextWriter output, TextWriter error, ShardSpec? shard = null)
    {
        OutputLocation.Folder(outDir);
        if (!File.Exists(manifestPath)) throw new DataFormatException($"{CommandRunner.Display(manifestPath)}: file not found");
        using var doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
        var root = doc.RootElement;
        string where = CommandRunner.Display(manifestPath);
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("models", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
            throw new DataFormatException($"{where}: expected {{\"models\": [{{\"model\": PATH, \"data\": SPEC}}, ...], options...}} with at least one model");
        foreach (var option in root.EnumerateObject().Where(p => p.Name != "models" && !OptionKeys.Contains(p.Name)))
            throw new DataFormatException($"{where}: '{option.Name}' is not an analyze option; use: {string.Join(", ", OptionKeys)}");
        string? Text(string key) => root.TryGetProperty(key, out var v) ? Join(v, where, key) : null;
        int? Number(string key) => root.TryGetProperty(key, out var v) ? v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n
            : throw new DataFormatException($"{where}: '{key}' must be a whole number") : null;
        string[] Split(string? text, string fallback) => (text ?? fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        var models = list.EnumerateArray().Select((m, i) => Model(m, i, where, Path.GetDirectoryName(Path.GetFullPath(manifestPath))!)).ToList();
        foreach (var duplicate in models.GroupBy(m => m.Name).Where(g => g.Count() > 1))
            throw new DataFormatException($"{where}: two models are named '{duplicate.Key}'; give each a \"name\"");
        int seed = Number("seed") ?? 0, shuffles = Number("clusterability") ?? 10;
        if (Text("device") is { } device && device is not ("cpu" or "cuda" or "auto"))
            throw new DataFormatException($"{where}: 'device' is '{device}'; use cpu, cuda or auto");
        var compared = new List<ComparedModel>();
        foreach (var (model, i) in models.Select((m, i) => (m, i)))
        {
            string folder = Path.Combine(outDir, model.Name);
            string[] measures = Split(Text("measures"), model.Data is null ? "vis-score,softmax-entropy" : "acc-drop,class-range,vis-score,softmax-entropy");
            string[] edges = Split(Text("edges"), model.Data is null ? "weights" : "weights,activations");
            error.WriteLine($"screen: {model.Name} ({i + 1}/{models.Count}, {CommandRunner.Display(model.Model)})");
            if (model.Data is null)
            {
                // Without data only weight graphs and the feature-visualisation measures can run.
                var needData = edges.Where(e => e != "weights").Concat(measures.Where(m => !VisualisationAnalysis.Measures.Contains(m))).ToList();
                edges = ["weights"];
                measures = measures.Where(VisualisationAnalysis.Measures.Contains).ToArray();
                if (measures.Length == 0)
                    throw new DataFormatException($"{where}: model '{model.Name}' has no \"data\", and every measure asked for needs it " +
                                                  "(give it \"data\", or ask for vis-score or softmax-entropy)");
                if (needData.Count > 0) error.WriteLine($"  no data: {string.Join(", ", needData)} left out for {model.Name}");
            }
            var request = new AnalyzeRequest(model.Model, model.Data ?? "none", model.Preprocessing, edges, Split(Text("scope"), "network,layer"),
                measures, Number("clusters"), Number("random") ?? 19, folder, seed, DeviceChoice.Parse(Text("device")), threads,
                Number("memory-budget") ?? 256, Fresh: false, Compat: Text("compat"), Samples: Number("samples") ?? 5000,
                Examples: Number("examples"), Layers: Text("layers") is { } layers ? Split(layers, "") : null, MaxSubclusters: Number("max-subclusters"),
                Shard: shard);
            int code = AnalyzeHandler.Run(request, TextWriter.Null, new PrefixWriter(error, "  "));
            if (code != ExitCodes.Success) return code;
            string clusterability = Path.Combine(folder, "clusterability.json");
            // In a sharded screen, each model's clusterability test is one more unit of work, run by one shard.
            bool mine = shard is null || i % shard.Count == shard.Index;
            if (shuffles > 0 && mine && !File.Exists(clusterability))
            {
                code = ClusterabilityHandler.Run(new ClusterabilityRequest(model.Model, Number("clusters"), shuffles, WeightShuffle.All, clusterability, seed),
                    TextWriter.Null, new PrefixWriter(error, "  "));
                if (code != ExitCodes.Success) return code;
            }
            if (shard is null) compared.Add(CompareHandler.Read(model.Name, folder));
        }
        if (shard is not null)
        {
            JsonFiles.Write(Path.Combine(outDir, ScreenShardDocument.FileName),
                new ScreenShardDocument(shard.Index, shard.Count, seed, models.Select(m => m.Name).ToList()));
            error.WriteLine($"wrote screen shard {shard} to {CommandRunner.Display(outDir)}; `analyzer merge` the {shard.Count} shard folders " +
                "for every model's results and the comparison");
            return ExitCodes.Success;
        }
        return CompareHandler.Write(compared, outDir, seed, output, error);
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
        var preprocessing = Preprocessing.Default;
        preprocessing = preprocessing with
        {
            Scale = Values("scale")?[0] ?? preprocessing.Scale,
            Mean = Values("mean") ?? preprocessing.Mean,
            Std = Values("std") ?? preprocessing.Std,
        };
        if (preprocessing.Std.Any(s => s == 0) || !(preprocessing.Scale > 0))
            throw new DataFormatException($"{where}: model {i}: \"std\" must be non-zero and \"scale\" positive");
        return new ScreenedModel(file, String("data"), String("name") ?? Path.GetFileNameWithoutExtension(file), preprocessing);
    }

    /// <summary>An option's value as the command line would give it: lists comma-joined, numbers invariant.</summary>
    private static string Join(JsonElement value, string where, string key) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetDouble().ToString(CultureInfo.InvariantCulture),
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(v => Join(v, where, key))),
        _ => throw new DataFormatException($"{where}: '{key}' must be a string, a number or a list"),
    };
}
