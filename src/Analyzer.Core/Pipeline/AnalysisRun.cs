using Analyzer.Core.Clustering;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Measures;
using Analyzer.Core.Progress;
using Analyzer.Core.Results;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Executes an <see cref="AnalysisPlan"/> (docs/design.md, the pipeline): loads the model and data, then partitioning by
/// partitioning takes the <see cref="AnalysisSteps"/> (cluster the graph, sample the subclusters and their controls),
/// measures this run's share of them and saves the piece under OUT/partitionings/ before going on, so that a rerun
/// resumes where a killed one stopped. Under further conventions (<see cref="AnalysisPlan.AlsoUnder"/>) the measurements
/// are made once and each convention's piece is saved in its own folder. Progress and notes go to the log; pictures to
/// the figures sinks, one per convention's folder.
/// </summary>
public sealed class AnalysisRun(AnalysisPlan plan, TextWriter log, IAnalysisFigures? figures = null, IReadOnlyList<IAnalysisFigures>? alsoFigures = null)
{
    private readonly IReadOnlyList<IAnalysisFigures> figures =
        [figures ?? NoFigures.Instance, .. plan.AlsoUnder.Select((_, i) => alsoFigures is not null && i < alsoFigures.Count ? alsoFigures[i] : NoFigures.Instance)];

    /// <summary>Executes <paramref name="plan"/> and leaves its outcome in its folder: the results through
    /// <paramref name="writer"/> for a whole run (and in each further convention's folder), shard.json for a shard (which
    /// `merge` reads).</summary>
    public static AnalysisOutcome Complete(AnalysisPlan plan, TextWriter log, IResultsWriter writer)
    {
        var outcome = new AnalysisRun(plan, log, writer.Figures(plan.Out, plan.Preprocessing),
            plan.AlsoUnder.Select(c => writer.Figures(c.Out, plan.Preprocessing)).ToList()).Execute();
        if (outcome.Shard is null)
        {
            writer.Results(plan.Out, outcome.Results());
            foreach (var (convention, also) in plan.AlsoUnder.Zip(outcome.AlsoUnder))
                writer.Results(convention.Out, also.Results());
        }
        else
            JsonFiles.Write(Path.Combine(plan.Out, AnalysisFolder.ShardFile), outcome.ShardDocument());
        return outcome;
    }

    public AnalysisOutcome Execute()
    {
        var inputs = AnalysisInputs.Load(plan);
        var (network, test, data, k) = (inputs.Network, inputs.Test, inputs.Data, inputs.K);
        var conventions = plan.Conventions;
        foreach (var convention in conventions)
            Directory.CreateDirectory(Path.Combine(convention.Out, "partitionings"));
        log.WriteLine($"analyze: {DisplayPath.Of(plan.Model)} ({network.Neurons.NodeCount} neurons), " +
            (data is null ? "no data needed" : $"{data.Count} test examples from {plan.Data}") + $", k = {k}" +
            (plan.Shard is null ? "" : $", shard {plan.Shard}") +
            (conventions.Count == 1 ? "" : $", reported under {conventions.Count} conventions"));

        var note = Notes.Once(log);
        network.NoteAdaptations(note, plan.InputShapes is null);
        foreach (var skipped in inputs.SkippedMeasures.GroupBy(s => s.Reason))
            note($"{string.Join(", ", skipped.Select(s => s.Measure))} left out: {skipped.Key} (named measures make this an error)");
        using var engine = data is null ? null : new LesionEngine(network, data, new LesionOptions
        {
            Preprocessing = plan.Preprocessing, Device = plan.Device, Threads = plan.Threads, MemoryBudget = plan.MemoryBudget, Note = note,
            OutputChange = plan.Measures.Contains(Measure.OutputChange),
        });
        var labels = data is null ? LabelSource.Data : LabelSources.Resolve(plan.Labels, data);
        var baseline = engine?.Baseline();
        if (engine is not null && labels != LabelSource.Data)
        {
            // The intact model's predictions (or the next tokens) become the labels: a lesion's accuracy is its agreement with them.
            engine.ScoreAgainst(labels);
            baseline = engine.Baseline();
        }
        var warnings = new List<WarningEntry>();
        if (engine is not null)
            foreach (var warning in new[] { ResultWarnings.Baseline(labels, baseline!.Accuracy, engine.Classes), ResultWarnings.Labels(labels, data!.Labels, engine.Classes) })
                if (warning is not null)
                {
                    note(warning.Message);
                    warnings.Add(warning);
                }
        var visualisation = new VisualisationOptions { Device = plan.Device, Threads = plan.Threads, MemoryBudget = plan.MemoryBudget };
        using var visualizer = inputs.VisualisationMeasures.Count == 0 ? null : new FeatureVisualizer(network, plan.Preprocessing, visualisation, note);
        var correlations = inputs.CorrelationMeasures
            ? CorrelationAnalysis.Images(network, data!, plan.Preprocessing, plan.Device, note, plan.MemoryBudget)
            : default;
        var activationRequest = new ActivationRequest(plan.Data, plan.Preprocessing, plan.Samples, plan.Device, plan.MemoryBudget);
        EdgeGraph Graph(EdgeKind edges)
        {
            if (edges == EdgeKind.Weights) return new EdgeGraph(GraphLayout.Of(network.Neurons), inputs.WeightGraph, null);
            var activations = GraphSource.Activations(network, activationRequest, plan.Seed, log);
            return new EdgeGraph(activations.Layout, activations.Graph, activations);
        }
        var steps = new AnalysisSteps(plan, inputs, Graph);

        var keys = new List<string>();
        var pieces = conventions.Select(_ => new List<PartitioningPiece>()).ToList();
        string? shard = plan.Shard?.ToString();
        foreach (var (edges, scope) in plan.Partitionings)
        {
            string key = AnalysisSteps.Key(edges, scope);
            keys.Add(key);
            var checkpointPaths = conventions.Select(c => Path.Combine(c.Out, "partitionings", $"{key}.json")).ToList();
            var identities = conventions.Select(c => (plan with { Compat = c.Compat }).Identity(network.Sha256, k, edges, data?.Count ?? 0,
                AnalyzerInfo.Version, labels, Lesions.OutputLayout.Of(network).Positions, network.FixedInputShapes())).ToList();
            var saved = checkpointPaths.Select((path, i) => !plan.Fresh && File.Exists(path) && Saved(path) is { } piece
                && piece.Key == identities[i] && piece.Shard == shard ? piece : null).ToList();
            if (saved.All(piece => piece is not null))
            {
                log.WriteLine($"  {key}: already done in an earlier run (a fresh run redoes it)");
                for (int i = 0; i < conventions.Count; i++) pieces[i].Add(saved[i]!);
                continue;
            }
            var work = steps.Partition(edges, scope, () => log.WriteLine($"  {key}: clustering"));
            var unconverged = ResultWarnings.Eigen(key, work.Partitioning);
            if (unconverged is not null) note(unconverged.Message);
            var reports = conventions.Select(_ => new Dictionary<string, MeasureReport>()).ToList();
            void Add(int convention, IReadOnlyDictionary<string, MeasureReport> measured)
            {
                foreach (var (name, report) in measured) reports[convention][name] = report;
            }
            if (engine is not null && inputs.LesionMeasures.Count > 0)
            {
                var progress = new ProgressLine(log, $"  {key}: {steps.Lesions(work)} lesions", (long)steps.Lesions(work) * data!.Count);
                var measured = LesionAnalysis.Run(work.Share, engine!, baseline!, inputs.LesionMeasures, conventions.Select(c => c.Compat).ToList(),
                    done => progress.Advance(done));
                for (int i = 0; i < conventions.Count; i++) Add(i, measured[i]);
            }
            if (visualizer is not null)
            {
                var progress = new ProgressLine(log, $"  {key}: {steps.Images(work)} visualisations", (long)steps.Images(work) * visualisation.Steps);
                var (measured, pictures) = VisualisationAnalysis.Run(network, work.Share, visualizer, inputs.VisualisationMeasures, plan.Seed,
                    conventions.Select(c => c.Compat.Ties).ToList(), done => progress.Advance(done));
                for (int i = 0; i < conventions.Count; i++)
                {
                    figures[i].Visualisations(key, pictures);
                    Add(i, measured[i]);
                }
            }
            if (inputs.CorrelationMeasures)
                for (int i = 0; i < conventions.Count; i++)
                {
                    var (measured, pictures) = CorrelationAnalysis.Run(work.Share, correlations, plan.Seed, conventions[i].Compat.Ties);
                    figures[i].Correlations(key, pictures, correlations.Layer);
                    Add(i, measured);
                }
            var positions = work.All.Select((s, i) => (s.Subcluster.Layer, s.Subcluster.Cluster, i)).ToDictionary(p => (p.Layer, p.Cluster), p => p.i);
            var samplerSkipped = work.SamplerSkipped.Select(s => new SkippedEntry(s.Layer, s.Cluster, s.Size, s.Reason)).ToList();
            for (int i = 0; i < conventions.Count; i++)
            {
                figures[i].Adjacency(key, work.Graph.Graph, work.Graph.Layout, work.Partitioning);
                var piece = new PartitioningPiece(identities[i], shard, edges.Name(), scope.Name(), work.Partitioning.NormalizedCut, work.All.Count,
                    samplerSkipped, inputs.Measures.ToDictionary(m => m.Name, m => Units(reports[i][m.Name], positions)),
                    unconverged is null ? null : [unconverged]);
                JsonFiles.Write(checkpointPaths[i], piece);
                pieces[i].Add(piece);
            }
        }

        var header = new ResultsDocument(DisplayPath.Of(plan.Model), network.Sha256, AnalyzerInfo.Version,
            data is null ? "none" : plan.Data, plan.Seed, k, plan.Random, engine?.Provider ?? visualizer!.Provider,
            data?.Count ?? 0, baseline?.Accuracy ?? double.NaN, new SignificanceEntry("Benjamini-Hochberg", 0.05, null), [],
            plan.Compat.Enabled, data is not null && data.Count < test!.Count ? test.Count : null, plan.Layers, plan.MaxSubclusters,
            data is null ? null : PreprocessingEntry.Of(plan.Preprocessing), data is null ? null : labels.Name(),
            inputs.SkippedMeasures.Count == 0 ? null : inputs.SkippedMeasures, network.InputShapesEntry(), warnings.Count == 0 ? null : warnings);
        return new AnalysisOutcome(header, keys, pieces[0], plan.Shard)
        {
            AlsoUnder = conventions.Skip(1).Select((c, i) => new AnalysisOutcome(header with { Compat = c.Compat.Enabled }, keys, pieces[i + 1], null)).ToList(),
        };
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
