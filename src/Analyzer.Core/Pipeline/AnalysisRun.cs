using Analyzer.Core.Measures;
using Analyzer.Core.Progress;
using Analyzer.Core.Subclusters;
using Analyzer.Core.Activations;
using Analyzer.Core.Clustering;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Results;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Executes an <see cref="AnalysisPlan"/> (docs/design.md, the pipeline): loads the model and data, then partitioning by
/// partitioning clusters the graph, samples the subclusters and their controls, measures this run's share of them and
/// saves the piece under OUT/partitionings/ before going on, so that a rerun resumes where a killed one stopped.
/// Progress and notes go to the log; pictures to the figures sink.
/// </summary>
public sealed class AnalysisRun(AnalysisPlan plan, TextWriter log, IAnalysisFigures? figures = null)
{
    private readonly IAnalysisFigures figures = figures ?? NoFigures.Instance;

    public AnalysisOutcome Execute()
    {
        var inputs = AnalysisInputs.Load(plan);
        var (network, test, data, weightGraph, k, selection) = (inputs.Network, inputs.Test, inputs.Data, inputs.WeightGraph, inputs.K, inputs.Selection);
        var (lesionMeasures, visualisationMeasures, correlationMeasures) = (inputs.LesionMeasures, inputs.VisualisationMeasures, inputs.CorrelationMeasures);
        var compat = plan.ReferenceCompatSwitches();
        string checkpoints = Path.Combine(plan.Out, "partitionings");
        Directory.CreateDirectory(checkpoints);
        var spectral = new SpectralOptions();
        log.WriteLine($"analyze: {DisplayPath.Of(plan.Model)} ({network.Neurons.NodeCount} neurons), " +
            (data is null ? "no data needed" : $"{data.Count} test examples from {plan.Data}") + $", k = {k}" +
            (plan.Shard is null ? "" : $", shard {plan.Shard}"));

        var note = Notes.Once(log);
        long budget = (long)plan.MemoryBudgetMiB << 20;
        using var engine = data is null ? null : new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = plan.Preprocessing, Device = plan.Device, Threads = plan.Threads, MemoryBudget = budget, Note = note,
        });
        var baseline = engine?.Baseline();
        using var visualizer = visualisationMeasures.Count == 0 ? null : new FeatureVisualizer(network, plan.Preprocessing,
            new VisualisationOptions { Device = plan.Device, Threads = plan.Threads, MemoryBudget = budget }, note);
        var correlations = correlationMeasures ? CorrelationAnalysis.Images(network, data!, plan.Preprocessing, plan.Device, note) : default;
        var graphs = new Dictionary<string, (GraphLayout Layout, WeightedGraph Graph, ActivationGraph? Activations, NetworkPartitioning? NetworkWide)>();
        var activationRequest = new ActivationRequest(plan.Data, plan.Preprocessing, plan.Samples, plan.Device, plan.MemoryBudgetMiB);

        var keys = new List<string>();
        var pieces = new List<PartitioningPiece>();
        foreach (string edges in plan.Edges)
            foreach (string scope in plan.Scopes)
            {
                string key = $"{edges}-{scope}";
                keys.Add(key);
                string checkpointPath = Path.Combine(checkpoints, $"{key}.json");
                string identity = plan.Identity(network.Sha256, k, edges, data?.Count ?? 0, AnalyzerInfo.Version);
                string? shard = plan.Shard?.ToString();
                if (!plan.Fresh && File.Exists(checkpointPath) && Saved(checkpointPath) is { } saved && saved.Key == identity && saved.Shard == shard)
                {
                    log.WriteLine($"  {key}: already done in an earlier run (--fresh redoes it)");
                    pieces.Add(saved);
                    continue;
                }
                if (!graphs.TryGetValue(edges, out var source))
                {
                    var built = edges == "weights"
                        ? (GraphLayout.Of(network.Neurons), (WeightedGraph)weightGraph, (ActivationGraph?)null)
                        : GraphSource.Build(network, edges, activationRequest, plan.Seed, log);
                    source = (built.Item1, built.Item2, built.Item3, null);
                }
                log.WriteLine($"  {key}: clustering");
                var networkWide = source.NetworkWide ?? NetworkClustering.Network(source.Layout, source.Graph, k, spectral, plan.Seed);
                graphs[edges] = source with { NetworkWide = networkWide };
                var partitioning = ScopedPartition.Build(network, source.Layout, source.Graph, source.Activations, scope, k, spectral,
                    plan.Seed, networkWide: networkWide);
                var (all, sampled) = SubclusterSampler.Sample(network.Neurons, partitioning, key, plan.Random, plan.Seed, selection with { Shard = null });
                var positions = all.Select((s, i) => (s.Subcluster.Layer, s.Subcluster.Cluster, i)).ToDictionary(p => (p.Layer, p.Cluster), p => p.i);
                var reports = new Dictionary<string, MeasureReport>();
                if (lesionMeasures.Count > 0)
                {
                    int lesions = LesionAnalysis.LesionCount(network, partitioning, key, plan.Random, plan.Seed, selection);
                    var progress = new ProgressLine(log, $"  {key}: {lesions} lesions", (long)lesions * data!.Count);
                    foreach (var (name, report) in LesionAnalysis.Run(network, partitioning, key, engine!, baseline!, lesionMeasures, plan.Random,
                                 plan.Seed, compat, done => progress.Advance(done), selection))
                        reports[name] = report;
                }
                if (visualizer is not null)
                {
                    int images = VisualisationAnalysis.ImageCount(network, partitioning, key, plan.Random, plan.Seed, selection);
                    var progress = new ProgressLine(log, $"  {key}: {images} visualisations", (long)images * new VisualisationOptions().Steps);
                    var (measured, pictures) = VisualisationAnalysis.Run(network, partitioning, key, visualizer, visualisationMeasures,
                        plan.Random, plan.Seed, done => progress.Advance(done), selection, compat.Ties);
                    figures.Visualisations(key, pictures);
                    foreach (var (name, report) in measured) reports[name] = report;
                }
                if (correlationMeasures)
                {
                    var (measured, pictures) = CorrelationAnalysis.Run(network, partitioning, key, correlations, plan.Random, plan.Seed, selection, compat.Ties);
                    figures.Correlations(key, pictures, correlations.Layer);
                    foreach (var (name, report) in measured) reports[name] = report;
                }
                figures.Adjacency(key, source.Graph, source.Layout, partitioning);
                var samplerSkipped = sampled.Select(s => new SkippedEntry(s.Layer, s.Cluster, s.Size, s.Reason)).ToList();
                var piece = new PartitioningPiece(identity, shard, edges, scope, partitioning.NormalizedCut, all.Count, samplerSkipped,
                    plan.Measures.ToDictionary(m => m, m => Units(reports[m], positions)));
                JsonFiles.Write(checkpointPath, piece);
                pieces.Add(piece);
            }

        var header = new ResultsDocument(DisplayPath.Of(plan.Model), network.Sha256, AnalyzerInfo.Version,
            data is null ? "none" : plan.Data, plan.Seed, k, plan.Random, engine?.Provider ?? visualizer!.Provider,
            data?.Count ?? 0, baseline?.Accuracy ?? double.NaN, new SignificanceEntry("Benjamini-Hochberg", 0.05, null), [],
            compat.Enabled, data is not null && data.Count < test!.Count ? test.Count : null, plan.Layers, plan.MaxSubclusters,
            data is null ? null : PreprocessingEntry.Of(plan.Preprocessing));
        return new AnalysisOutcome(header, keys, pieces, plan.Shard);
    }

    /// <summary>A saved piece, or null when it cannot be read (an older format): the partitioning is then redone.</summary>
    private static PartitioningPiece? Saved(string path)
    {
        try
        {
            var piece = JsonFiles.Read<PartitioningPiece>(path);
            return piece.Measures is null ? null : piece;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>A measure's outcome per analysed subcluster of this share, at its position in the partitioning.</summary>
    private static IReadOnlyList<MeasuredUnit> Units(MeasureReport report, IReadOnlyDictionary<(string, int), int> positions)
    {
        var units = new List<MeasuredUnit>();
        var reasons = report.Skipped.ToDictionary(s => (s.Layer, s.Cluster));
        for (int i = 0; i < report.Subclusters.Count; i++)
        {
            var s = report.Subclusters[i].Subcluster;
            if (report.Summary.Scores[i] is not { } score) continue;
            units.Add(new MeasuredUnit(positions[(s.Layer, s.Cluster)], new SubclusterEntry(s.Layer, s.Cluster, s.Units.Length, s.Units,
                score.Value, score.Controls, score.Percentile, score.Effect), null));
        }
        // Analysed subclusters the measure did not score: not finite, or not a layer the measure applies to.
        foreach (var ((layer, cluster), position) in positions)
            if (reasons.TryGetValue((layer, cluster), out var skipped))
                units.Add(new MeasuredUnit(position, null, new SkippedEntry(skipped.Layer, skipped.Cluster, skipped.Size, skipped.Reason)));
        units.Sort((a, b) => a.Position.CompareTo(b.Position));
        return units;
    }
}
