using System.Diagnostics;
using Analyzer.Core.Activations;
using Analyzer.Core.Clustering;
using Analyzer.Core.Files;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Networks;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Pipeline;

/// <summary>One partitioning of an estimate: its work and what it should take.</summary>
public sealed record PlannedPartitioning(string Edges, string Scope, int Subclusters, int Lesions, long ForwardPasses,
    int Visualisations, long VisualisationSteps, double ClusteringSeconds, double LesionSeconds, double VisualisationSeconds,
    double EstimatedSeconds);

/// <summary>What an analysis would do and take (`analyze --plan --json`), without running it.</summary>
public sealed record AnalysisPlanDocument(string Model, int K, int Examples, int Random, IReadOnlyList<string> Measures,
    IReadOnlyList<PlannedPartitioning> Partitionings, IReadOnlyDictionary<string, double> FixedSeconds, double EstimatedSeconds,
    double EstimatedPeakMib, double PlanSeconds, string Basis, IReadOnlyDictionary<string, LesionCost> LesionCosts,
    IReadOnlyDictionary<string, VisualisationCost> VisualisationCosts);

/// <summary>
/// What an <see cref="AnalysisPlan"/> would take on this machine (docs/design.md, "Plans"): it takes the run's own
/// <see cref="AnalysisSteps"/> (activation graphs from fewer samples, extrapolated), so the subclusters, lesions, forward
/// passes and visualisation steps are the run's counts, and times short samples of the real lesion and visualisation
/// work (<see cref="WorkCalibration"/>) to estimate the time and peak memory.
/// </summary>
public static class AnalysisEstimate
{
    /// <summary>Node sets and points calibrated at most; the others take the nearest calibrated one's costs.</summary>
    private const int MaxCalibrated = 8;

    /// <param name="startSeconds">Seconds the caller spent before the estimate began that the run would spend too
    /// (process start); the estimate adds the time it takes to load the inputs.</param>
    public static AnalysisPlanDocument Run(AnalysisPlan plan, TextWriter log, double startSeconds = 0)
    {
        var planClock = Stopwatch.StartNew();
        var inputs = AnalysisInputs.Load(plan);
        var (network, data) = (inputs.Network, inputs.Data);
        double startup = startSeconds + planClock.Elapsed.TotalSeconds;
        var fixedSeconds = new Dictionary<string, double> { ["start, model, weight graph"] = startup };
        long activationExtraBytes = 0;
        EdgeGraph Graph(EdgeKind edges)
        {
            log.WriteLine($"plan: {edges.Name()} graph and partitionings");
            if (edges == EdgeKind.Weights) return new EdgeGraph(GraphLayout.Of(network.Neurons), inputs.WeightGraph, null);
            var (activations, seconds, sampled, runSamples) = ActivationGraphEstimate(network, plan);
            fixedSeconds["activation graph"] = seconds;
            // The run keeps its samples, ranks and their transpose (8 bytes each per sample and unit) for all its samples.
            activationExtraBytes = 24L * (runSamples - sampled) * activations.Layout.NodeCount;
            return new EdgeGraph(activations.Layout, activations.Graph, activations);
        }
        var steps = new AnalysisSteps(plan, inputs, Graph);
        var work = plan.Partitionings.Select(p => steps.Partition(p.Edges, p.Scope)).ToList();
        var shares = work.Select(w => w.Share.Analysed).ToList();
        var lesionOptions = new LesionOptions
        {
            Preprocessing = plan.Preprocessing, Device = plan.Device, Threads = plan.Threads, MemoryBudget = plan.MemoryBudget,
        };
        var visualisationOptions = new VisualisationOptions { Device = plan.Device, Threads = plan.Threads, MemoryBudget = plan.MemoryBudget };

        IReadOnlyDictionary<int, LesionCost> lesionCosts = new Dictionary<int, LesionCost>();
        bool sessionsShared = true;
        if (data is not null)
        {
            var sets = shares.SelectMany(s => s).GroupBy(s => s.Subcluster.NodeSet)
                // One lesion of every size the run removes there (a lesion's cost grows with the units it removes).
                .ToDictionary(g => g.Key, g => (IReadOnlyList<LesionSet>)g.Select((s, i) => new LesionSet($"{i}", g.Key, s.Subcluster.Units)).ToList());
            var chosen = inputs.LesionMeasures.Count > 0 ? Spread(sets.Keys.Order().ToList()) : [];
            var (forward, examples) = WorkCalibration.Forward(network, data, lesionOptions, chosen);
            fixedSeconds["baseline accuracy"] = forward * data.Count;
            if (chosen.Count > 0)
            {
                log.WriteLine($"plan: timing lesions of {chosen.Count} node sets on {Math.Min(examples, data.Count)} examples");
                var (costs, shared) = WorkCalibration.Lesions(network, data, lesionOptions, examples, chosen.ToDictionary(n => n, n => sets[n]));
                lesionCosts = Nearest(sets.Keys, costs);
                sessionsShared = shared;
            }
        }

        IReadOnlyDictionary<string, VisualisationCost> visualisationCosts = new Dictionary<string, VisualisationCost>();
        var points = PreActivationPoints.Find(network).ToDictionary(p => p.NodeSet.Index);
        if (inputs.VisualisationMeasures.Count > 0)
        {
            var wanted = shares.SelectMany(s => s).Select(s => s.Subcluster.NodeSet).Distinct().Order().ToList();
            var batches = new Dictionary<string, IReadOnlyList<VisualisationObjective>>();
            foreach (int nodeSet in Spread(wanted))
            {
                var point = points[nodeSet];
                if (batches.ContainsKey(point.Tensor)) continue;
                var units = shares.SelectMany(s => s).Where(s => s.Subcluster.NodeSet == nodeSet)
                    .SelectMany(s => s.Controls.Prepend(s.Subcluster.Units)).ToList();
                // As many images as one partitioning puts at this point, up to a full batch (the calibration takes a batch).
                int rows = Math.Min(visualisationOptions.MaxBatch, shares.Max(s => s.Count(c => c.Subcluster.NodeSet == nodeSet)) * (plan.Random + 1));
                batches[point.Tensor] = Enumerable.Range(0, rows).Select(i => new VisualisationObjective($"{i}", point, units[i % units.Count], i)).ToList();
            }
            log.WriteLine($"plan: timing visualisation steps at {batches.Count} points");
            var (costs, setup) = WorkCalibration.Visualisations(network, plan.Preprocessing, visualisationOptions, batches);
            fixedSeconds["visualiser"] = setup;
            var byNodeSet = wanted.Where(n => costs.ContainsKey(points[n].Tensor)).ToDictionary(n => n, n => costs[points[n].Tensor]);
            // Node sets that share a tensor (a residual sum read by two layers) share its images' cost.
            visualisationCosts = Nearest(wanted, byNodeSet).GroupBy(p => points[p.Key].Tensor).ToDictionary(g => g.Key, g => g.First().Value);
        }

        var planned = new List<PlannedPartitioning>();
        var lesioned = new HashSet<int>();
        foreach (var w in work)
        {
            int lesions = steps.Lesions(w), images = steps.Images(w);
            double lesionSeconds = 0, visualisationSeconds = 0;
            if (lesions > 0)
            {
                // Node sets of low-rank lesions share one prefix per chunk: the dearest of their prefixes is paid once.
                double sharedPrefix = 0;
                foreach (var group in w.Share.Analysed.GroupBy(s => s.Subcluster.NodeSet))
                {
                    var cost = lesionCosts[group.Key];
                    bool fresh = lesioned.Add(group.Key) || !sessionsShared;
                    lesionSeconds += cost.Seconds(group.Count() * (plan.Random + 1), data!.Count) - (fresh ? 0 : cost.SetupSeconds);
                    if (!cost.SharedPrefix) continue;
                    lesionSeconds -= data.Count * cost.SecondsPerExample;
                    sharedPrefix = Math.Max(sharedPrefix, data.Count * cost.SecondsPerExample);
                }
                lesionSeconds += sharedPrefix;
            }
            if (images > 0)
                foreach (var group in w.Share.Analysed.GroupBy(s => points[s.Subcluster.NodeSet].Tensor))
                    visualisationSeconds += visualisationCosts[group.Key].Seconds(group.Count() * (plan.Random + 1), visualisationOptions.Steps);
            planned.Add(new PlannedPartitioning(w.Edges.Name(), w.Scope.Name(), w.Share.Analysed.Count, lesions, (long)lesions * (data?.Count ?? 0),
                images, (long)images * visualisationOptions.Steps, Round(w.ClusteringSeconds), Round(lesionSeconds), Round(visualisationSeconds),
                Round(w.ClusteringSeconds + lesionSeconds + visualisationSeconds)));
        }

        double total = fixedSeconds.Values.Sum() + planned.Sum(r => r.ClusteringSeconds + r.LesionSeconds + r.VisualisationSeconds);
        double peak = WorkCalibration.PeakMiB() + activationExtraBytes / (1024.0 * 1024);
        return new AnalysisPlanDocument(DisplayPath.Of(plan.Model), inputs.K, data?.Count ?? 0, plan.Random, inputs.Measures.Select(m => m.Name).ToList(),
            planned, fixedSeconds.ToDictionary(p => p.Key, p => Round(p.Value)), Round(total), Math.Round(peak),
            Round(planClock.Elapsed.TotalSeconds + startSeconds),
            "graphs and partitionings built as the run builds them (activation graphs from fewer samples, extrapolated); " +
            "lesions and visualisation steps timed on samples of the real work on this machine",
            lesionCosts.ToDictionary(c => network.Neurons.NodeSets[c.Key].Name, c => c.Value),
            visualisationCosts.ToDictionary(c => c.Key, c => c.Value));
    }

    /// <summary>The activation graph from a few samples (the partitionings' counts), and the seconds the run's graph
    /// of all its samples should take: capture and correlations grow linearly in the samples.</summary>
    private static (ActivationGraph Graph, double Seconds, int Samples, int RunSamples) ActivationGraphEstimate(ModelNetwork network, AnalysisPlan plan)
    {
        var request = new ActivationRequest(plan.Data, plan.Preprocessing, plan.Samples, plan.Device, plan.MemoryBudget);
        int total = Math.Min(request.Samples, GraphSource.ActivationData(request.Data, request.Preprocessing.Geometry, plan.Seed).Count);
        const int few = 32, more = 128;
        if (total <= more)
        {
            var clock = Stopwatch.StartNew();
            var graph = GraphSource.Activations(network, request, plan.Seed, TextWriter.Null);
            return (graph, clock.Elapsed.TotalSeconds, total, total);
        }
        // The first build also pays what a run pays once (loading the training split, compiling the capture path).
        var timer = Stopwatch.StartNew();
        using (GraphSource.Activations(network, request with { Samples = few }, plan.Seed, TextWriter.Null)) { }
        double cold = timer.Elapsed.TotalSeconds;
        timer.Restart();
        using (GraphSource.Activations(network, request with { Samples = few }, plan.Seed, TextWriter.Null)) { }
        double a = timer.Elapsed.TotalSeconds;
        timer.Restart();
        var larger = GraphSource.Activations(network, request with { Samples = more }, plan.Seed, TextWriter.Null);
        double b = timer.Elapsed.TotalSeconds;
        double perSample = Math.Max(0, (b - a) / (more - few));
        return (larger, cold + perSample * (total - few), more, total);
    }

    /// <summary>At most <see cref="MaxCalibrated"/> of the items, evenly spread (first and last included).</summary>
    private static List<int> Spread(List<int> items)
    {
        if (items.Count <= MaxCalibrated) return items;
        return Enumerable.Range(0, MaxCalibrated).Select(i => items[(int)Math.Round(i * (items.Count - 1) / (double)(MaxCalibrated - 1))])
            .Distinct().ToList();
    }

    /// <summary>Every item's cost: its own when calibrated, else the calibrated item nearest in order.</summary>
    private static Dictionary<int, T> Nearest<T>(IEnumerable<int> items, IReadOnlyDictionary<int, T> calibrated) =>
        items.ToDictionary(i => i, i => calibrated.TryGetValue(i, out var own) ? own
            : calibrated.MinBy(c => Math.Abs(c.Key - i)).Value);

    private static double Round(double seconds) => Math.Round(seconds, seconds < 10 ? 2 : 1);
}
