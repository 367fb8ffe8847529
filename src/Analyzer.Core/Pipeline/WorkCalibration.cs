using Analyzer.Core.Networks;
using System.Diagnostics;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Pipeline;

/// <summary>
/// Short timed runs of the real lesion and visualisation code on samples of the real work, from which a plan
/// extrapolates (docs/design.md, "Plans"): the same sessions, batching and threads as the run, on fewer examples, fewer
/// lesions and fewer steps.
/// </summary>
public static class WorkCalibration
{
    /// <summary>
    /// Seconds one full forward pass takes per example, from a run of the unlesioned model on a few examples; and the
    /// number of examples the lesion calibration of <paramref name="nodeSets"/> uses: the largest chunk the run puts
    /// through one of them (so the timed runs batch as the run does), but no more than a quarter of a second's worth
    /// per lesion and at least 8.
    /// </summary>
    public static (double SecondsPerExample, int CalibrationExamples) Forward(ModelNetwork network, ImageDataset data,
        LesionOptions options, IEnumerable<int> nodeSets)
    {
        var sample = data.Draw(Math.Min(data.Count, 64), 1);
        using var engine = new LesionEngine(network, sample, options);
        engine.Baseline();
        var clock = Stopwatch.StartNew();
        engine.Baseline();
        double perExample = clock.Elapsed.TotalSeconds / sample.Count;
        using var full = new LesionEngine(network, data, options);
        int chunk = nodeSets.Select(full.ChunkExamples).DefaultIfEmpty(1).Max();
        int examples = (int)Math.Clamp(Math.Min(chunk, 0.25 / Math.Max(perExample, 1e-9)), 8, data.Count);
        return (perExample, examples);
    }

    /// <summary>
    /// Times each node set's lesions: a warm-up run of one lesion (creating its sessions) and one of a few, then timed runs of a few and of
    /// many lesions (half a second's worth), on <paramref name="examples"/> examples. <paramref name="sets"/> holds real lesions
    /// of each node set (repeated when there are too few). Also says whether the sessions of every node set stayed
    /// cached together (otherwise a run rebuilds them for each partitioning).
    /// </summary>
    public static (IReadOnlyDictionary<int, LesionCost> Costs, bool SessionsShared) Lesions(ModelNetwork network, ImageDataset data,
        LesionOptions options, int examples, IReadOnlyDictionary<int, IReadOnlyList<LesionSet>> sets, Action<int>? progress = null)
    {
        var sample = data.Draw(Math.Min(examples, data.Count), 2);
        using var engine = new LesionEngine(network, sample, options);
        int streams = options.ConcurrentRuns > 0 ? options.ConcurrentRuns : Analyzer.Kernels.Parallelism.MaxThreads;
        int few = Math.Max(2, streams);
        var costs = new Dictionary<int, LesionCost>();
        foreach (var (nodeSet, real) in sets)
        {
            List<LesionSet> Pool(int count) => Enumerable.Range(0, count).Select(i => real[i % real.Count] with { Id = $"{i}" }).ToList();
            double warm = Time(() => engine.Evaluate(Pool(1)));
            engine.Evaluate(Pool(few));
            double a = Time(() => engine.Evaluate(Pool(few)));
            // Enough lesions for half a second, so that the batching of many lesions per run shows as it does in a run.
            int many = (int)Math.Clamp(0.5 / Math.Max(a / few, 1e-6), 3 * few, 256);
            double b = Time(() => engine.Evaluate(Pool(many)));
            int n = sample.Count;
            // When noise (another process, a collection) makes the many lesions look no dearer than the few, all of
            // the many run's time is taken as per-lesion cost: an overestimate rather than a free lesion.
            double perLesion = b > a ? (b - a) / ((many - few) * (double)n) : b / (many * (double)n);
            double perExample = Math.Max(0, a / n - few * perLesion);
            double setup = Math.Max(0, warm - n * (perExample + perLesion));
            costs[nodeSet] = new LesionCost(setup, perExample, perLesion, engine.SharesPrefix(nodeSet));
            progress?.Invoke(1);
        }
        return (costs, engine.Evictions == 0);
    }

    /// <summary>
    /// Times each point's visualisation on one batch of real objectives (as many as the run puts in a batch): one step
    /// (building its gradient graph), then, after a warm-up, one step and six steps with the graph built. Also returns the seconds the
    /// visualiser itself took to set up (its evaluation session and the checks of every gradient graph).
    /// </summary>
    public static (IReadOnlyDictionary<string, VisualisationCost> Costs, double SetupSeconds) Visualisations(ModelNetwork network,
        Preprocessing preprocessing, VisualisationOptions options, IReadOnlyDictionary<string, IReadOnlyList<VisualisationObjective>> objectives,
        Action<string>? note = null)
    {
        const int steps = 6;
        var clock = Stopwatch.StartNew();
        using var visualizer = new FeatureVisualizer(network, preprocessing, options, note);
        double setup = clock.Elapsed.TotalSeconds;
        var costs = new Dictionary<string, VisualisationCost>();
        foreach (var (tensor, all) in objectives)
        {
            var batch = all.Take(visualizer.BatchRows).ToList();
            double first = Time(() => visualizer.Run(batch, steps: 1));
            // Once more untimed, so that the timed runs see the code as compiled for a long run (tiered JIT).
            visualizer.Run(batch, steps: steps);
            double one = Time(() => visualizer.Run(batch, steps: 1));
            double six = Time(() => visualizer.Run(batch, steps: steps));
            // As for lesions: when noise hides the cost of the extra steps, all of the six-step run counts as steps.
            double perStep = six > one ? (six - one) / (steps - 1) : six / steps;
            costs[tensor] = new VisualisationCost(Math.Max(0, first - one), visualizer.BatchRows, Math.Max(0, one - perStep),
                perStep / batch.Count);
        }
        return (costs, setup);
    }

    /// <summary>The process's peak resident memory so far in MiB (VmHWM on Linux).</summary>
    public static double PeakMiB()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0]) / 1024.0;
        }
        catch (IOException)
        {
        }
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024);
    }

    private static double Time(Action work)
    {
        var clock = Stopwatch.StartNew();
        work();
        return clock.Elapsed.TotalSeconds;
    }
}
