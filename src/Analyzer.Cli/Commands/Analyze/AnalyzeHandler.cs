using Analyzer.Core.Activations;
using Analyzer.Cli.Commands.Cluster;
using Analyzer.Cli.Commands.Lesion;
using Analyzer.Core.Analysis;
using Analyzer.Core.Clustering;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Statistics;
using Analyzer.Core.Visualisation;
using Analyzer.Onnx.Inference;
using Analyzer.Reporting.Files;
using Analyzer.Reporting.Html;
using Analyzer.Reporting.Images;
using Analyzer.Reporting.Plots;
using Analyzer.Reporting.Tables;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>What `analyze` was asked to do.</summary>
public sealed record AnalyzeRequest(string Model, string Data, Preprocessing Preprocessing, string[] Edges, string[] Scopes,
    string[] Measures, int? K, int Random, string? Out, int Seed, ExecutionDevice Device, int Threads, int MemoryBudgetMiB,
    bool Fresh, string? Compat = null, int Samples = 5000, int? Examples = null, string[]? Layers = null, int? MaxSubclusters = null,
    bool Plan = false, bool Json = false);

/// <summary>
/// Runs the pipeline partitioning by partitioning, saving each finished one under OUT/partitionings/ so that a rerun
/// resumes (and, with visualisation measures, a grid per subcluster under OUT/visualisations/); then applies
/// Benjamini-Hochberg over the table and writes results.json and table.md.
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
        string outDir = request.Out ?? Path.Combine("results", Path.GetFileNameWithoutExtension(request.Model));
        if (!request.Plan) OutputLocation.Folder(outDir);
        var network = ModelNetwork.Load(request.Model);
        var selection = Selection(request, network);
        var lesionMeasures = request.Measures.Where(LesionAnalysis.Measures.Contains).ToList();
        var visualisationMeasures = request.Measures.Where(VisualisationAnalysis.Measures.Contains).ToList();
        bool correlationMeasures = request.Measures.Any(CorrelationAnalysis.Measures.Contains);
        // Weight graphs with visualisation measures alone need no data at all (a model screened without its dataset).
        bool needsData = lesionMeasures.Count > 0 || correlationMeasures || request.Edges.Contains("activations");
        var test = needsData ? DatasetLoader.Load(DatasetSpec.Parse(request.Data), DatasetSplit.Test, request.Preprocessing.Geometry, request.Seed) : null;
        var data = test is null ? null : CommonOptions.TestExamples(test, request.Examples, request.Seed);
        var weightGraph = WeightGraph.Build(network.Neurons);
        int k = request.K ?? ClusterHandler.DefaultK(network);
        int valid = weightGraph.Degrees().Count(d => d > 0);
        if (k < 2 || k > valid)
            throw new UsageException($"-k: {k} clusters cannot be formed from {valid} connected nodes; use 2 to {valid}");
        if (request.Plan)
            return AnalyzePlanner.Run(request, request.Json, network, data, weightGraph, k, selection, lesionMeasures, visualisationMeasures,
                output, error);
        Directory.CreateDirectory(Path.Combine(outDir, "partitionings"));
        var spectral = new SpectralOptions();
        error.WriteLine($"analyze: {CommandRunner.Display(request.Model)} ({network.Neurons.NodeCount} neurons), " +
            (data is null ? "no data needed" : $"{data.Count} test examples from {request.Data}") + $", k = {k}");

        using var engine = data is null ? null : new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = request.Preprocessing,
            Device = request.Device,
            Threads = request.Threads,
            MemoryBudget = (long)request.MemoryBudgetMiB << 20,
            Note = LesionHandler.Once(error),
        });
        var baseline = engine?.Baseline();
        using var visualizer = visualisationMeasures.Count == 0 ? null : new FeatureVisualizer(network, request.Preprocessing,
            new VisualisationOptions { Device = request.Device, Threads = request.Threads, MemoryBudget = (long)request.MemoryBudgetMiB << 20 },
            LesionHandler.Once(error));
        if (correlationMeasures && data!.ExampleSize * (long)data.Count > 100_000_000)
            throw new UsageException($"--measures lateralisation: {data.Count} examples of {data.ExampleSize} values are too many to correlate " +
                "pixel by pixel; it is meant for MNIST-size inputs (halves-mnist), or use --examples");
        var correlations = correlationMeasures ? CorrelationAnalysis.Images(network, data!, request.Preprocessing, request.Device, LesionHandler.Once(error)) : default;
        var graphs = new Dictionary<string, (GraphLayout Layout, WeightedGraph Graph, ActivationGraph? Activations, NetworkPartitioning? NetworkWide)>();
        var activationRequest = new ActivationRequest(request.Data, request.Preprocessing, request.Samples, request.Device, request.MemoryBudgetMiB);

        var entries = new List<PartitioningEntry>();
        foreach (string edges in request.Edges)
            foreach (string scope in request.Scopes)
            {
                string key = $"{edges}-{scope}";
                string checkpointPath = Path.Combine(outDir, "partitionings", $"{key}.json");
                string identity = string.Join("|", network.Sha256, request.Data, request.Preprocessing.Scale,
                    string.Join(",", request.Preprocessing.Mean), string.Join(",", request.Preprocessing.Std), request.Preprocessing.Bgr,
                    request.Seed, k, request.Random, string.Join(",", request.Measures), string.Join(",", compat.Enabled),
                    edges == "activations" ? request.Samples : 0, data?.Count ?? 0,
                    string.Join(",", request.Layers ?? []), request.MaxSubclusters ?? 0, AnalyzerInfo.Version);
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
                if (!graphs.TryGetValue(edges, out var source))
                {
                    var built = edges == "weights"
                        ? (GraphLayout.Of(network.Neurons), (WeightedGraph)weightGraph, (ActivationGraph?)null)
                        : GraphSource.Build(network, edges, activationRequest, request.Seed, error);
                    source = (built.Item1, built.Item2, built.Item3, null);
                }
                error.WriteLine($"  {key}: clustering");
                var networkWide = source.NetworkWide ?? NetworkClustering.Network(source.Layout, source.Graph, k, spectral, request.Seed);
                graphs[edges] = source with { NetworkWide = networkWide };
                var partitioning = ClusterHandler.Partition(network, source.Layout, source.Graph, source.Activations, scope, k, spectral,
                    request.Seed, TextWriter.Null, networkWide);
                var measures = new Dictionary<string, MeasureEntry>();
                if (lesionMeasures.Count > 0)
                {
                    int lesions = LesionAnalysis.LesionCount(network, partitioning, key, request.Random, request.Seed, selection);
                    var progress = new ProgressLine(error, $"  {key}: {lesions} lesions", (long)lesions * data!.Count);
                    var reports = LesionAnalysis.Run(network, partitioning, key, engine!, baseline!, lesionMeasures, request.Random,
                        request.Seed, compat, done => progress.Advance(done), selection);
                    foreach (var (name, report) in reports) measures[name] = ToEntry(name, report);
                }
                if (visualizer is not null)
                {
                    int images = VisualisationAnalysis.ImageCount(network, partitioning, key, request.Random, request.Seed, selection);
                    var steps = new VisualisationOptions().Steps;
                    var progress = new ProgressLine(error, $"  {key}: {images} visualisations", (long)images * steps);
                    var (reports, pictures) = VisualisationAnalysis.Run(network, partitioning, key, visualizer, visualisationMeasures,
                        request.Random, request.Seed, done => progress.Advance(done), selection, compat.Ties);
                    WriteGrids(Path.Combine(outDir, "visualisations", key), pictures, request.Preprocessing.Bgr);
                    foreach (var (name, report) in reports) measures[name] = ToEntry(name, report);
                }
                if (correlationMeasures)
                {
                    var (reports, pictures) = CorrelationAnalysis.Run(network, partitioning, key, correlations, request.Random, request.Seed, selection, compat.Ties);
                    WriteCorrelationGrids(Path.Combine(outDir, "correlations", key), pictures, correlations.Layer);
                    foreach (var (name, report) in reports) measures[name] = ToEntry(name, report);
                }
                WriteAdjacency(Path.Combine(outDir, "figures", $"adjacency-{key}.png"), source.Graph, source.Layout, partitioning, key);
                var entry = new PartitioningEntry(edges, scope, partitioning.NormalizedCut,
                    request.Measures.ToDictionary(m => m, m => measures[m]));
                JsonFiles.Write(checkpointPath, new PartitioningCheckpoint(identity, entry));
                entries.Add(entry);
            }

        var (significance, marked) = SignificanceMarking.Apply(entries);
        var results = new ResultsDocument(CommandRunner.Display(request.Model), network.Sha256, AnalyzerInfo.Version,
            data is null ? "none" : request.Data, request.Seed, k, request.Random, engine?.Provider ?? visualizer!.Provider,
            data?.Count ?? 0, baseline?.Accuracy ?? double.NaN, significance, marked, compat.Enabled,
            data is not null && data.Count < test!.Count ? test.Count : null, request.Layers, request.MaxSubclusters,
            data is null ? null : PreprocessingEntry.Of(request.Preprocessing));
        JsonFiles.Write(Path.Combine(outDir, "results.json"), results);
        string table = ResultsTable.Markdown(results);
        AtomicFile.WriteAllText(Path.Combine(outDir, "table.md"), table);
        AtomicFile.WriteAllText(Path.Combine(outDir, "report.html"), ReportPage.Build(outDir, results));
        output.Write(table);
        error.WriteLine($"wrote {CommandRunner.Display(Path.Combine(outDir, "results.json"))}, table.md and report.html");
        return ExitCodes.Success;
    }

    /// <summary>--layers and --max-subclusters as the sampler takes them; an unknown or unanalysed layer is a usage error.</summary>
    private static SubclusterSelection Selection(AnalyzeRequest request, ModelNetwork network)
    {
        if (request.MaxSubclusters is < 1)
            throw new UsageException($"--max-subclusters: {request.MaxSubclusters}; expected at least 1");
        if (request.Layers is null) return new SubclusterSelection(null, request.MaxSubclusters);
        var analysed = network.Neurons.NodeSets.Where(s => s.Analysed).Select(s => s.Name).ToList();
        foreach (string layer in request.Layers.Where(l => !analysed.Contains(l)))
            throw new UsageException($"--layers: '{layer}' is not an analysed node set of {CommandRunner.Display(request.Model)}; " +
                $"choose from: {string.Join(", ", analysed)}");
        return new SubclusterSelection(request.Layers.ToHashSet(), request.MaxSubclusters);
    }

    private static void Validate(AnalyzeRequest request)
    {
        if (request.Edges.Length == 0 || request.Edges.Any(e => e is not ("weights" or "activations")))
            throw new UsageException($"--edges: '{string.Join(",", request.Edges)}'; use a comma-separated list of: weights, activations");
        if (request.Scopes.Length == 0 || request.Scopes.Any(s => s is not ("network" or "layer")))
            throw new UsageException($"--scope: '{string.Join(",", request.Scopes)}'; use a comma-separated list of: network, layer");
        var known = LesionAnalysis.Measures.Concat(VisualisationAnalysis.Measures).Concat(CorrelationAnalysis.Measures).ToList();
        if (request.Measures.Length == 0 || request.Measures.Any(m => !known.Contains(m)))
            throw new UsageException($"--measures: '{string.Join(",", request.Measures)}'; use a comma-separated list of: {string.Join(", ", known)}");
        if (request.Random < 1)
            throw new UsageException($"--random: {request.Random}; expected at least 1");
        if (request.Json && !request.Plan)
            throw new UsageException("--json: only with --plan (a run writes results.json)");
        if (!File.Exists(request.Model) && request.Model == AnalyzeCommand.DefaultModel)
            throw new UsageException($"no model given and {AnalyzeCommand.DefaultModel} is not here; run from the repository root or name a model");
    }

    /// <summary>The partition's adjacency sorted by cluster, for the report.</summary>
    private static void WriteAdjacency(string path, WeightedGraph graph, GraphLayout layout, NetworkPartitioning partitioning, string key)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllBytes(path, ReportPlots.SortedAdjacency(graph.ToCsr(), AdjacencyOrder.Positions(layout, partitioning),
            $"{key}: adjacency sorted by cluster ({partitioning.Layers.Sum(l => l.Clusters)} clusters)"));
    }

    /// <summary>One PNG per first-layer subcluster: its aligned correlation image framed, then its controls' (grey 0,
    /// white the largest |correlation| of each image, black its negation).</summary>
    private static void WriteCorrelationGrids(string directory, IReadOnlyList<(Subcluster Subcluster, IReadOnlyList<double[]> Images)> pictures,
        CorrelationAnalysis.NodeSetInfo layer)
    {
        foreach (var (s, images) in pictures)
        {
            var pixels = images.Select(image =>
            {
                double max = image.Max(v => Math.Abs(v));
                return new PixelImage(image.Select(v => (float)(max > 0 ? 0.5 + 0.5 * v / max : 0.5)).ToArray(), 1, layer.Height, layer.Width);
            }).ToList();
            PngFiles.WriteGrid(Path.Combine(directory, $"{FileNames.Safe(s.Layer)}-cluster{s.Cluster}.png"), pixels);
        }
    }

    /// <summary>One PNG per subcluster: its visualisation framed, then its controls' (like the paper's Figure 6).</summary>
    private static void WriteGrids(string directory, IReadOnlyList<SubclusterVisualisations> pictures, bool bgr)
    {
        foreach (var picture in pictures)
        {
            var s = picture.Subcluster;
            string name = $"{FileNames.Safe(s.Layer)}-cluster{s.Cluster}.png";
            PngFiles.WriteGrid(Path.Combine(directory, name),
                picture.Images.Select(i => new PixelImage(i.Image, i.Channels, i.Height, i.Width, bgr)).ToList());
        }
    }

    private static MeasureEntry ToEntry(string measure, MeasureReport report)
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
        bool beyond = MeasureOrientations.IsNotable(effect, MeasureOrientations.Of(measure));
        return new MeasureEntry(report.Summary.Fisher, report.Summary.P, new EffectEntry(effect.Mean, effect.StandardError, false, beyond),
            report.Summary.N, false, subclusters, report.Skipped.Select(k => new SkippedEntry(k.Layer, k.Cluster, k.Size, k.Reason)).ToList(),
            Degenerate: MeasureResolution.Degenerate(measure, SubclusterEntries.Values(subclusters)));
    }
}
