using Analyzer.Core.Errors;
using Analyzer.Core.Measures;
using System.Diagnostics;
using System.Text.Json;
using Analyzer.Cli.Commands.Aggregate;
using Analyzer.Cli.Commands.Analyze;
using Analyzer.Core.Datasets;
using Analyzer.Core.Files;
using Analyzer.Core.Results;
using Analyzer.Onnx.Inference;
using Analyzer.Reporting.Reproduction;

namespace Analyzer.Cli.Commands.Reproduce;

/// <summary>What `reproduce` was asked to do.</summary>
public sealed record ReproduceRequest(bool Fast, string Replicates, string? Families, string Conventions, string Out, int Seed,
    ExecutionDevice Device, int Threads);

/// <summary>One replicate as the manifest lists it.</summary>
public sealed record Replicate(string Family, string File, string Dataset);

/// <summary>
/// Analyzes every replicate (resuming finished partitionings, as analyze does), aggregates each family, applies
/// Benjamini-Hochberg over the whole table of each convention and writes reproduction.md and reproduction.json.
/// </summary>
public static class ReproduceHandler
{
    public static readonly string[] KnownFamilies = ["mnist-mlp", "mnist-cnn", "fmnist-mlp", "fmnist-cnn"];

    public static int Run(ReproduceRequest request, TextWriter output, TextWriter error)
    {
        OutputLocation.Folder(request.Out);
        var clock = Stopwatch.StartNew();
        var replicates = ReadManifest(request.Replicates);
        var families = request.Families is null
            ? KnownFamilies.Where(f => replicates.Any(r => r.Family == f)).ToList()
            : request.Families.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        foreach (string family in families.Where(f => !KnownFamilies.Contains(f)))
            throw new UsageException($"--families: '{family}' is not one of {string.Join(", ", KnownFamilies)}");
        foreach (string family in families.Where(f => replicates.All(r => r.Family != f)))
            throw new UsageException($"--families: {CommandRunner.Display(request.Replicates)}/manifest.json has no {family} replicates; train them with tools/train_replicates.py");
        if (families.Count == 0)
            throw new UsageException($"{CommandRunner.Display(request.Replicates)}/manifest.json lists no replicates of {string.Join(", ", KnownFamilies)}");
        var conventions = request.Conventions switch
        {
            "default" => new[] { ("default", (string?)null) },
            "compat" => [("compat", "all")],
            _ => [("default", null), ("compat", "all")],
        };

        var results = new List<ReproducedConvention>();
        int analyses = 0, resumed = 0;
        foreach (var (name, compat) in conventions)
        {
            var reproduced = new List<ReproducedFamily>();
            foreach (string family in families)
            {
                var members = replicates.Where(r => r.Family == family).Take(request.Fast ? 2 : int.MaxValue).ToList();
                var dirs = new List<string>();
                foreach (var (replicate, i) in members.Select((r, i) => (r, i)))
                {
                    string dir = Path.Combine(request.Out, name, family, Path.GetFileNameWithoutExtension(replicate.File));
                    error.WriteLine($"reproduce: {name}, {family} replicate {i + 1}/{members.Count} ({CommandRunner.Display(replicate.File)}), " +
                                    $"{clock.Elapsed.TotalMinutes:F1} min elapsed");
                    analyses++;
                    if (File.Exists(Path.Combine(dir, "results.json"))) resumed++;
                    int code = AnalyzeHandler.Run(Request(request, replicate, compat, dir), TextWriter.Null, new PrefixWriter(error, "  "));
                    if (code != ExitCodes.Success) return code;
                    dirs.Add(dir);
                }
                string aggregate = Path.Combine(request.Out, name, family, "aggregate");
                int aggregated = AggregateHandler.Run(dirs.ToArray(), aggregate, TextWriter.Null, TextWriter.Null);
                if (aggregated != ExitCodes.Success) return aggregated;
                var document = JsonFiles.Read<ResultsDocument>(Path.Combine(aggregate, "results.json"));
                reproduced.Add(new ReproducedFamily(family, members.Count, document.Partitionings));
            }
            // One correction over every family's rows, as the paper corrects over its whole table.
            var all = reproduced.SelectMany(f => f.Partitionings).ToList();
            var (significance, marked) = SignificanceMarking.Apply(all);
            int offset = 0;
            var markedFamilies = reproduced.Select(f =>
            {
                var rows = marked.Skip(offset).Take(f.Partitionings.Count).ToList();
                offset += f.Partitionings.Count;
                return f with { Partitionings = rows };
            }).ToList();
            results.Add(new ReproducedConvention(name, ReferenceCompat.Parse(compat).Enabled, significance, markedFamilies));
        }

        double seconds = clock.Elapsed.TotalSeconds;
        string table = ReproductionTable.Markdown(results, request.Fast, seconds, resumed, analyses);
        Directory.CreateDirectory(request.Out);
        AtomicFile.WriteAllText(Path.Combine(request.Out, "reproduction.md"), table);
        JsonFiles.Write(Path.Combine(request.Out, "reproduction.json"), new ReproductionDocument(AnalyzerInfo.Version, request.Seed, request.Fast,
            Math.Round(seconds, 1), results, resumed));
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(request.Out, "reproduction.md"))} and reproduction.json ({seconds / 60:F1} min)");
        return ExitCodes.Success;
    }

    private static AnalyzeRequest Request(ReproduceRequest request, Replicate replicate, string? compat, string dir) => new(
        replicate.File, replicate.Dataset, Preprocessing.Default, ["weights", "activations"], ["network", "layer"],
        ["acc-drop", "class-range", "vis-score", "softmax-entropy"], null, 19, dir, request.Seed, request.Device, request.Threads,
        256, Fresh: false, Compat: compat, Samples: request.Fast ? 1000 : 5000, Examples: request.Fast ? 1000 : null,
        MaxSubclusters: request.Fast ? 2 : null);

    /// <summary>The replicates of manifest.json, in its order: {"models": [{"file", "family", "dataset", ...}]}.</summary>
    public static List<Replicate> ReadManifest(string folder)
    {
        string path = Path.Combine(folder, "manifest.json");
        if (!File.Exists(path))
            throw new UsageException($"{CommandRunner.Display(path)}: not found; train the replicates with tools/train_replicates.py or give --replicates");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("models", out var models) ||
            models.ValueKind != JsonValueKind.Array)
            throw new DataFormatException($"{CommandRunner.Display(path)}: expected {{\"models\": [...]}}");
        return models.EnumerateArray().Select((m, i) =>
        {
            string Field(string name) => m.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                : throw new DataFormatException($"{CommandRunner.Display(path)}: model {i} has no \"{name}\"");
            string file = Path.Combine(folder, Field("file"));
            if (!File.Exists(file)) throw new DataFormatException($"{CommandRunner.Display(path)}: {CommandRunner.Display(file)} is listed but missing");
            return new Replicate(Field("family"), file, Field("dataset"));
        }).ToList();
    }
}
