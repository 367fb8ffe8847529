using Analyzer.Core.Networks;
using Analyzer.Core.Subclusters;
using System.Diagnostics;
using Analyzer.Core.Activations;
using Analyzer.Core.Clustering;
using Analyzer.Core.Graphs;
using Analyzer.Core.Lesions;
using Analyzer.Core.Visualisation;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Files;

namespace Analyzer.Cli.Commands.Analyze;

/// <summary>One partitioning of a plan: its work and what it should take.</summary>
public sealed record PlannedPartitioning(string Edges, string Scope, int Subclusters, int Lesions, long ForwardPasses,
    int Visualisations, long VisualisationSteps, double ClusteringSeconds, double LesionSeconds, double VisualisationSeconds,
    double EstimatedSeconds);

/// <summary>`analyze --plan --json`: the work of a run and the estimates, without running it.</summary>
public sealed record AnalysisPlanDocument(string Model, int K, int Examples, int Random, string[] Measures,
    IReadOnlyList<PlannedPartitioning> Partitionings, IReadOnlyDictionary<string, double> FixedSeconds, double EstimatedSeconds,
    double EstimatedPeakMib, double PlanSeconds, string Basis, IReadOnlyDictionary<string, LesionCost> LesionCosts,
    IReadOnlyDictionary<string, VisualisationCost> VisualisationCosts);

/// <summary>
/// `analyze --plan`: builds the run's graphs and partitionings as the run would (activation graphs from fewer samples,
/// extrapolated), counts the lesions, forward passes and visualisation steps, and times short samples of the real
/// lesion and visualisation work to estimate the run on this machine (docs/design.md, "Plans").
/// </summary>
public static class AnalyzePlanner
{
    /// <summary>Node sets and points calibrated at most; the others take the nearest calibrated one's costs.</summary>
    private const int MaxCalibrated = 8;

    public static int Run(AnalyzeRequest request, AnalysisPlan analysis, TextWriter output, TextWriter error)
    {
        var inputs = AnalysisInputs.Load(analysis);
        var (network, data, weightGraph, k, selection) = (inputs.Network, inputs.Data, inputs.WeightGraph, inputs.K, inputs.Selection);
        var (lesionMeasures, visualisationMeasures) = (inputs.LesionMeasures, inputs.VisualisationMeasures);
        bool json = request.Json;
        var planClock = Stopwatch.StartNew();
        double startup = ProcessSeconds();
        var spectral = new SpectralOptions();
        var fixedSeconds = new Dictionary<string, double> { ["start, model, weight graph"] = startup };
        var partitionings = new List<(string Edges, string Scope, NetworkPartitioning Partitioning, double Seconds)>();
        var activationRequest = new ActivationRequest(request.Data, request.Preprocessing, request.Samples, request.Device, request.MemoryBudgetMiB);
        long activationExtraBytes = 0;
        foreach (string edges in request.Edges)
        {
            error.WriteLine($"plan: {edges} graph and partitionings");
            GraphLayout layout;
            WeightedGraph graph;
            ActivationGraph? activations = null;
            if (edges == "weights")
                (layout, graph) = (GraphLayout.Of(network.Neurons), weightGraph);
            else
            {
                (activations, double seconds, int sampled, int runSamples) = ActivationGraphEstimate(network, activationRequest, request.Seed);
                (layout, graph) = (activations.Layout, activations.Graph);
                fixedSeconds["activation graph"] = seconds;
                // The run keeps its samples, ranks and their transpose (8 bytes each per sample and unit) for all its samples.
                activationExtraBytes = 24L * (runSamples - sampled) * layout.NodeCount;
            }
            var clock = Stopwatch.StartNew();
            var networkWide = NetworkClustering.Network(layout, graph, k, spectral, request.Seed);
            double networkSeconds = clock.Elapsed.TotalSeconds;
            foreach (string scope in request.Scopes)
            {
                clock.Restart();
                var partitioning = ScopedPartition.Build(network, layout, graph, activations, scope, k, spectral, request.Seed,
                    networkWide: networkWide);
                double seconds = clock.Elapsed.TotalSeconds + (scope == request.Scopes[0] ? networkSeconds : 0);
                partitionings.Add((edges, scope, partitioning, seconds));
            }
        }

        var samples = partitionings.Select(p => SubclusterSampler.Sample(network.Neurons, p.Partitioning, $"{p.Edges}-{p.Scope}",
            request.Random, request.Seed, selection).Analysed).ToList();
        int steps = new VisualisationOptions().Steps;
        var points = PreActivationPoints.Find(network).ToDictionary(p => p.NodeSet.Index);
        var lesionOptions = new LesionOptions
        {
            Preprocessing = request.Preprocessing, Device = request.Device, Threads = request.Threads,
            MemoryBudget = (long)request.MemoryBudgetMiB << 20,
        };

        IReadOnlyDictionary<int, LesionCost> lesionCosts = new Dictionary<int, LesionCost>();
        bool sessionsShared = true;
        if (data is not null)
        {
            var sets = samples.SelectMany(s => s).GroupBy(s => s.Subcluster.NodeSet)
                // One lesion of every size the run removes there (a lesion's cost grows with the units it removes).
                .ToDictionary(g => g.Key, g => (IReadOnlyList<LesionSet>)g.Select((s, i) => new LesionSet($"{i}", g.Key, s.Subcluster.Units)).ToList());
            var chosen = lesionMeasures.Count > 0 ? Spread(sets.Keys.Order().ToList()) : [];
            var (forward, examples) = WorkCalibration.Forward(network, data, lesionOptions, chosen);
            fixedSeconds["baseline accuracy"] = forward * data.Count;
            if (chosen.Count > 0)
            {
                error.WriteLine($"plan: timing lesions of {chosen.Count} node sets on {Math.Min(examples, data.Count)} examples");
                var (costs, shared) = WorkCalibration.Lesions(network, data, lesionOptions, examples,
                    chosen.ToDictionary(n => n, n => sets[n]));
                lesionCosts = Nearest(sets.Keys, costs);
                sessionsShared = shared;
            }
        }

        IReadOnlyDictionary<string, VisualisationCost> visualisationCosts = new Dictionary<string, VisualisationCost>();
        if (visualisationMeasures.Count > 0)
        {
            var options = new VisualisationOptions
            {
                Device = request.Device, Threads = request.Threads, MemoryBudget = (long)request.MemoryBudgetMiB << 20,
            };
            var wanted = samples.SelectMany(s => s).Select(s => s.Subcluster.NodeSet).Distinct().Order().ToList();
            var batches = new Dictionary<string, IReadOnlyList<VisualisationObjective>>();
            foreach (int nodeSet in Spread(wanted))
            {
                var point = points[nodeSet];
                if (batches.ContainsKey(point.Tensor)) continue;
                var units = samples.SelectMany(s => s).Where(s => s.Subcluster.NodeSet == nodeSet)
                    .SelectMany(s => s.Controls.Prepend(s.Subcluster.Units)).ToList();
                // As many images as one partitioning puts at this point, up to a full batch (the calibration takes a batch).
                int rows = Math.Min(options.MaxBatch, samples.Max(s => s.Count(c => c.Subcluster.NodeSet == nodeSet)) * (request.Random + 1));
                batches[point.Tensor] = Enumerable.Range(0, rows).Select(i => new VisualisationObjective($"{i}", point, units[i % units.Count], i)).ToList();
            }
            error.WriteLine($"plan: timing visualisation steps at {batches.Count} points");
            var (costs, setup) = WorkCalibration.Visualisations(network, request.Preprocessing, options, batches);
            fixedSeconds["visualiser"] = setup;
            var byNodeSet = wanted.Where(n => costs.ContainsKey(points[n].Tensor)).ToDictionary(n => n, n => costs[points[n].Tensor]);
            // Node sets that share a tensor (a residual sum read by two layers) share its images' cost.
            visualisationCosts = Nearest(wanted, byNodeSet).GroupBy(p => points[p.Key].Tensor).ToDictionary(g => g.Key, g => g.First().Value);
        }

        var rowsOut = new List<PlannedPartitioning>();
        var lesioned = new HashSet<int>();
        for (int i = 0; i < partitionings.Count; i++)
        {
            var (edges, scope, partitioning, clusterSeconds) = partitionings[i];
            var analysed = samples[i];
            int lesions = lesionMeasures.Count > 0 && data is not null ? analysed.Count * (request.Random + 1) : 0;
            double lesionSeconds = 0;
            if (lesions > 0)
                foreach (var group in analysed.GroupBy(s => s.Subcluster.NodeSet))
                {
                    var cost = lesionCosts[group.Key];
                    bool fresh = lesioned.Add(group.Key) || !sessionsShared;
                    lesionSeconds += cost.Seconds(group.Count() * (request.Random + 1), data!.Count) - (fresh ? 0 : cost.SetupSeconds);
                }
            int images = visualisationMeasures.Count > 0 ? analysed.Count * (request.Random + 1) : 0;
            double visualisationSeconds = 0;
            if (images > 0)
            {
                foreach (var group in analysed.GroupBy(s => points[s.Subcluster.NodeSet].Tensor))
                    visualisationSeconds += visualisationCosts[group.Key].Seconds(group.Count() * (request.Random + 1), steps);
            }
            rowsOut.Add(new PlannedPartitioning(edges, scope, analysed.Count, lesions, (long)lesions * (data?.Count ?? 0), images,
                (long)images * steps, Round(clusterSeconds), Round(lesionSeconds), Round(visualisationSeconds),
                Round(clusterSeconds + lesionSeconds + visualisationSeconds)));
        }

        double total = fixedSeconds.Values.Sum() + rowsOut.Sum(r => r.ClusteringSeconds + r.LesionSeconds + r.VisualisationSeconds);
        double peak = WorkCalibration.PeakMiB() + activationExtraBytes / (1024.0 * 1024);
        var estimate = new AnalysisPlanDocument(CommandRunner.Display(request.Model), k, data?.Count ?? 0, request.Random, request.Measures,
            rowsOut, fixedSeconds.ToDictionary(p => p.Key, p => Round(p.Value)), Round(total), Math.Round(peak),
            Round(planClock.Elapsed.TotalSeconds + startup),
            "graphs and partitionings built as the run builds them (activation graphs from fewer samples, extrapolated); " +
            "lesions and visualisation steps timed on samples of the real work on this machine",
            lesionCosts.ToDictionary(c => network.Neurons.NodeSets[c.Key].Name, c => c.Value),
            visualisationCosts.ToDictionary(c => c.Key, c => c.Value));
        if (json)
            output.WriteLine(JsonFiles.Serialize(estimate));
        else
            output.Write(Table(estimate));
        return ExitCodes.Success;
    }

    /// <summary>The activation graph from a few samples (the partitionings' counts), and the seconds the run's graph
    /// of all its samples should take: capture and correlations grow linearly in the samples.</summary>
    private static (ActivationGraph Graph, double Seconds, int Samples, int RunSamples) ActivationGraphEstimate(ModelNetwork network,
        ActivationRequest request, int seed)
    {
        int total = Math.Min(request.Samples, GraphSource.ActivationData(request.Data, request.Preprocessing.Geometry, seed).Count);
        const int few = 32, more = 128;
        if (total <= more)
        {
            var clock = Stopwatch.StartNew();
            var graph = GraphSource.Activations(network, request, seed, TextWriter.Null);
            return (graph, clock.Elapsed.TotalSeconds, total, total);
        }
        // The first build also pays what a run pays once (loading the training split, compiling the capture path).
        var timer = Stopwatch.StartNew();
        GraphSource.Activations(network, request with { Samples = few }, seed, TextWriter.Null);
        double cold = timer.Elapsed.TotalSeconds;
        timer.Restart();
        GraphSource.Activations(network, request with { Samples = few }, seed, TextWriter.Null);
        double a = timer.Elapsed.TotalSeconds;
        timer.Restart();
        var larger = GraphSource.Activations(network, request with { Samples = more }, seed, TextWriter.Null);
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

    /// <summary>Seconds since this process started (runtime start, model parsing, tracing and the weight graph so far).</summary>
    private static double ProcessSeconds()
    {
        try
        {
            // Linux: the start time in clock ticks since boot (field 22 of /proc/self/stat, after the parenthesised name).
            string stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            double started = long.Parse(fields[19], System.Globalization.CultureInfo.InvariantCulture) / 100.0;
            double uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            return Math.Max(0, uptime - started);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            using var process = Process.GetCurrentProcess();
            return Math.Max(0, (DateTime.Now - process.StartTime).TotalSeconds);
        }
    }

    private static double Round(double seconds) => Math.Round(seconds, seconds < 10 ? 2 : 1);

    private static string Table(AnalysisPlanDocument plan)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"plan for {plan.Model}: k = {plan.K}, {plan.Examples} test examples, {plan.Random} random controls per subcluster");
        text.AppendLine();
        text.AppendLine("| partitioning | subclusters | lesions | forward passes | visualisations | steps | clustering | lesions | visualisation | total |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var p in plan.Partitionings)
            text.AppendLine($"| {p.Edges}-{p.Scope} | {p.Subclusters} | {p.Lesions} | {p.ForwardPasses:N0} | {p.Visualisations} | " +
                $"{p.VisualisationSteps:N0} | {Duration(p.ClusteringSeconds)} | {Duration(p.LesionSeconds)} | " +
                $"{Duration(p.VisualisationSeconds)} | {Duration(p.EstimatedSeconds)} |");
        text.AppendLine();
        text.AppendLine($"once: {string.Join(", ", plan.FixedSeconds.Select(f => $"{f.Key} {Duration(f.Value)}"))}");
        text.AppendLine($"estimated: about {Duration(plan.EstimatedSeconds)} in all, peak memory about {plan.EstimatedPeakMib:N0} MiB " +
            $"(this plan took {Duration(plan.PlanSeconds)})");
        return text.ToString();
    }

    private static string Duration(double seconds) =>
        seconds < 90 ? $"{seconds:F1} s" : seconds < 5400 ? $"{seconds / 60:F1} min" : $"{seconds / 3600:F1} h";
}
