using Analyzer.Cli.Commands.Cluster;
using Analyzer.Cli.Commands.Lesion;
using Analyzer.Core.Analysis;
using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;
using Analyzer.Onnx.Inference;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>What `analyze` was asked to do.</summary>
public sealed record AnalyzeRequest(string Model, string Data, Preprocessing Preprocessing, string[] Edges, string[] Scopes,
    string[] Measures, int? K, int Random, string? Out, int Seed, ExecutionDevice Device, int Threads, int MemoryBudgetMiB,
    bool Fresh, string? Compat = null);

/// <summary>
/// Runs the pipeline partitioning by partitioning, saving each finished one under OUT/partitionings/ so that a rerun
/// resumes; then applies Benjamini-Hochberg over the table and writes results.json and table.md.
/// </summary>
public static class AnalyzeHandler
{
    public static int Run(AnalyzeRequest request, TextWriter output, TextWriter error)
    {
        Validate(request);
        ReferenceCompat compat;
        try
        {
            compat = ReferenceCompat.Parse(request.Compat);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--compat: {e.Message}");
        }
        var network = ModelNetwork.Load(request.Model);
        var data = DatasetLoader.Load(DatasetSpec.Parse(request.Data), DatasetSplit.Test);
        string outDir = request.Out ?? Path.Combine("results", Path.GetFileNameWithoutExtension(request.Model));
        Directory.CreateDirectory(Path.Combine(outDir, "partitionings"));
        var graph = WeightGraph.Build(network.Neurons);
        int k = request.K ?? ClusterHandler.DefaultK(network);
        int valid = graph.Degrees().Count(d => d > 0);
        if (k < 2 || k > valid)
            throw new UsageException($"-k: {k} clusters cannot be formed from {valid} connected nodes; use 2 to {valid}");
        var spectral = new SpectralOptions();
        error.WriteLine($"analyze: {CommandRunner.Display(request.Model)} ({network.Neurons.NodeCount} neurons), {data.Count} test examples from {request.Data}, k = {k}");

        using var engine = new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = request.Preprocessing,
            Device = request.Device,
            Threads = request.Threads,
            MemoryBudget = (long)request.MemoryBudgetMiB << 20,
            Note = LesionHandler.Once(error),
        });
        var baseline = engine.Baseline();
        NetworkPartitioning? networkWide = null;
        NetworkPartitioning NetworkWide() => networkWide ??= NetworkClustering.Network(network.Neurons, graph, k, spectral, request.Seed);

        var entries = new List<PartitioningEntry>();
        foreach (string scope in request.Scopes)
        {
            string key = $"weights-{scope}";
            string checkpointPath = Path.Combine(outDir, "partitionings", $"{key}.json");
            string identity = string.Join("|", network.Sha256, request.Data, request.Preprocessing.Scale,
                string.Join(",", request.Preprocessing.Mean), string.Join(",", request.Preprocessing.Std), request.Seed, k,
                request.Random, string.Join(",", request.Measures), string.Join(",", compat.Enabled), AnalyzerInfo.Version);
            if (!request.Fresh && File.Exists(checkpointPath))
            {
                var saved = JsonFiles.Read<PartitioningCheckpoint>(checkpointPath);
                if (saved.Key == identity)
                {
                    error.WriteLine($"  {key}: already done in an earlier run (--fresh redoes it)");
                    entries.Add(saved.Partitioning);
                    continue;
                }
            }
            error.WriteLine($"  {key}: clustering");
            var partitioning = scope == "network"
                ? NetworkWide()
                : NetworkClustering.Layerwise(network.Neurons, graph, NetworkWide(), spectral, request.Seed);
            int lesions = LesionAnalysis.LesionCount(network, partitioning, key, request.Random, request.Seed);
            var progress = new ProgressLine(error, $"  {key}: {lesions} lesions", (long)lesions * data.Count);
            var reports = LesionAnalysis.Run(network, partitioning, key, engine, baseline, request.Measures, request.Random,
                request.Seed, compat, done => progress.Advance(done));
            var entry = new PartitioningEntry("weights", scope, partitioning.NormalizedCut,
                reports.ToDictionary(r => r.Key, r => ToEntry(r.Value)));
            JsonFiles.Write(checkpointPath, new PartitioningCheckpoint(identity, entry));
            entries.Add(entry);
        }

        var (significance, marked) = SignificanceMarking.Apply(entries);
        var results = new ResultsDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version, request.Data,
            request.Seed, k, request.Random, engine.Provider, data.Count, baseline.Accuracy, significance, marked, compat.Enabled);
        JsonFiles.Write(Path.Combine(outDir, "results.json"), results);
        string table = ResultsTable.Markdown(results);
        File.WriteAllText(Path.Combine(outDir, "table.md"), table);
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "results.json"))} and table.md");
        return ExitCodes.Success;
    }

    private static void Validate(AnalyzeRequest request)
    {
        foreach (string e in request.Edges)
            if (e != "weights")
                throw new UsageException($"--edges: '{e}' is not available yet; use: weights");
        if (request.Scopes.Length == 0 || request.Scopes.Any(s => s is not ("network" or "layer")))
            throw new UsageException($"--scope: '{string.Join(",", request.Scopes)}'; use a comma-separated list of: network, layer");
        if (request.Measures.Length == 0 || request.Measures.Any(m => !LesionAnalysis.Measures.Contains(m)))
            throw new UsageException($"--measures: '{string.Join(",", request.Measures)}'; use a comma-separated list of: acc-drop, class-range");
        if (request.Random < 1)
            throw new UsageException($"--random: {request.Random}; expected at least 1");
        if (!File.Exists(request.Model) && request.Model == AnalyzeCommand.DefaultModel)
            throw new UsageException($"no model given and {AnalyzeCommand.DefaultModel} is not here; run from the repository root or name a model");
    }

    private static MeasureEntry ToEntry(MeasureReport report)
    {
        var subclusters = new List<SubclusterEntry>();
        for (int i = 0; i < report.Subclusters.Count; i++)
        {
            var score = report.Summary.Scores[i];
            if (score is null) continue;
            var s = report.Subclusters[i].Subcluster;
            subclusters.Add(new SubclusterEntry(s.Layer, s.Cluster, s.Units.Length, s.Units, score.Value, score.Controls,
                score.Percentile, score.Effect));
        }
        var effect = report.Summary.Effect;
        bool notable = effect.Count > 1 && effect.Mean - 2 * effect.StandardError > 1;
        return new MeasureEntry(report.Summary.Fisher, report.Summary.P, new EffectEntry(effect.Mean, effect.StandardError, notable),
            report.Summary.N, false, subclusters, report.Skipped.Select(k => new SkippedEntry(k.Layer, k.Cluster, k.Size, k.Reason)).ToList());
    }
}
