using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using Analyzer.Core.Datasets;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Operators;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>
/// Accuracy of a model with sets of units removed (docs/method.md §6), through ONNX Runtime. The model is rewritten once with
/// a mask input per analysable node set; for each lesioned node set the network is cut before the layer that reads it,
/// the unchanged prefix runs once per chunk of examples, and the suffix evaluates many masks per run by tiling the
/// prefix's outputs. Memory stays within <see cref="LesionOptions.MemoryBudget"/>: chunks and mask batches shrink to fit.
/// </summary>
public sealed partial class LesionEngine : IDisposable
{
    private readonly ModelNetwork network;
    private ImageDataset data;
    private readonly LesionOptions options;
    private readonly LesionRewriter rewriter;
    private readonly Dictionary<int, MaskPoint> maskOf = new();
    private readonly Dictionary<int, (OnnxSession? Prefix, OnnxSession Suffix, ModelCut? Cut)> sessions = new();
    private OnnxSession? full;
    private readonly int classes;
    private readonly OutputLayout layout;
    private readonly float threshold;

    public LesionEngine(ModelNetwork network, ImageDataset data, LesionOptions options)
    {
        this.network = network;
        this.data = data = network.Fit(data, options.Note);
        // A model that must run one example at a time gets one row per run on every path.
        this.options = network.BatchLimit(options.Note) == 1 ? options with { ChunkSize = 1, RowsPerRun = 1 } : options;
        // Class scores at one or more positions per example (OutputLayout). A single score is two classes: class 1 when it
        // exceeds 0.5 (a probability, after a Sigmoid) or 0 (a logit).
        layout = OutputLayout.Of(network);
        classes = layout.Classes == 1 ? 2 : layout.Classes;
        string output = network.Graph.Outputs[0].Name;
        threshold = network.Graph.Nodes.Any(n => n.Outputs.Contains(output) && OperatorRegistry.Find(n.OpType)?.Traits.Probabilities == true) ? 0.5f : 0f;
        int badLabel = Array.FindIndex(data.Labels, l => l >= classes);
        if (badLabel >= 0)
            throw new DataFormatException($"{data.Source}: label {data.Labels[badLabel]} of example {badLabel} is outside the model's {classes} classes ({network.Path})");
        if (data.PositionLabels is { } perPosition && Array.FindIndex(perPosition, l => l >= classes) is var bad and >= 0)
            throw new DataFormatException($"{data.Source}: label {perPosition[bad]} at position {bad % Math.Max(1, perPosition.Length / data.Count)} of example " +
                $"{bad / Math.Max(1, perPosition.Length / data.Count)} is outside the model's {classes} classes ({network.Path})");
        var points = new List<MaskPoint>();
        foreach (var set in network.Neurons.NodeSets.Where(s => s.Analysed))
        {
            var reader = network.Neurons.Trace.Layers[set.ReaderLayer];
            var point = new MaskPoint($"analyzer_mask_{set.Index}", reader.NodeIndex, set.Units, reader.InputShape.Length, reader.FeatureUnits,
                reader.UnitAxis, network.BatchAxis(network.Graph.Nodes[reader.NodeIndex].Inputs[0]));
            points.Add(point);
            maskOf[set.Index] = point;
        }
        network.NotePrecision(options.Note);
        rewriter = new LesionRewriter(network.File, points, network.Shapes);
        largestActivation = new Lazy<long>(LargestActivation);
    }

    private int Streams => options.ConcurrentRuns > 0 ? options.ConcurrentRuns : Analyzer.Kernels.Parallelism.MaxThreads;

    /// <summary>The share of the memory budget one concurrent stream's batches may take.</summary>
    private long StreamBudget => options.MemoryBudget.Bytes / Math.Max(1, Streams);

    /// <summary>ONNX Runtime threads per session: the threads asked for shared among the concurrent streams (--threads 2
    /// with 2 streams gave each stream's runs 2 threads on 2 cores, and the MLP sweep took 10.0 s instead of 5.7), else
    /// one per stream.</summary>
    private int SessionThreads => Analyzer.Kernels.Parallelism.PerStream(options.Threads, Streams);

    /// <summary>The provider that ran the model, e.g. "cpu (CPUExecutionProvider)".</summary>
    public string Provider =>
        (full ?? sessions.Values.Select(s => s.Suffix).Concat(lowRankStages.Values.Select(s => s.Suffix).OfType<OnnxSession>()).FirstOrDefault())?.Provider ?? "not run";

    public int Classes => classes;

    /// <summary>Accuracy of the unlesioned model; it also records the intact model's predictions (and, when output change
    /// is measured, its outputs), which later lesions are compared with.</summary>
    public LesionOutcome Baseline() => baseline = Evaluate([new LesionSet("baseline", -1, [])])[0];

    /// <summary>The last <see cref="Baseline"/>: a set of no units is the intact model, and gets this outcome exactly
    /// (the engine's own suffix rounds differently from the full model, which would show as a change of ~1e-15).</summary>
    private LesionOutcome? baseline;

    /// <summary>Accuracy after each lesion; the sets may name any analysable node sets.</summary>
    public IReadOnlyList<LesionOutcome> Evaluate(IReadOnlyList<LesionSet> sets, Action<int>? progress = null)
    {
        var results = new LesionOutcome[sets.Count];
        var report = progress is null ? null : new Action<int>(n => { lock (results) progress(n); });
        var lowRank = new List<(int NodeSet, List<(LesionSet Set, int Index)> Members)>();
        var toRun = new List<(LesionSet Set, int Index)>();
        for (int i = 0; i < sets.Count; i++)
            if (IntactOutcome(sets[i]) is { } intact)
            {
                results[i] = intact;
                report?.Invoke(data.Count);
            }
            else toRun.Add((sets[i], i));
        foreach (var group in toRun.GroupBy(x => x.Set.NodeSet))
        {
            var members = group.ToList();
            if (group.Key >= 0 && !maskOf.ContainsKey(group.Key))
                throw new ArgumentException($"node set {group.Key} is not analysable", nameof(sets));
            if (LowRankReader(group.Key) is not null)
            {
                lowRank.Add((group.Key, members));
                continue;
            }
            var groupSets = members.Select(m => m.Set).ToList();
            Tally[] tallies;
            int streams = Math.Clamp(Streams, 1, Math.Max(1, groupSets.Count));
            if (streams == 1)
                tallies = RunGroup(group.Key, groupSets, report);
            else
            {
                // Independent slices of the group on concurrent streams sharing the sessions.
                int per = (groupSets.Count + streams - 1) / streams;
                var parts = new Tally[streams][];
                Parallel.For(0, streams, new ParallelOptions { MaxDegreeOfParallelism = streams }, t =>
                {
                    var slice = groupSets.Skip(t * per).Take(per).ToList();
                    parts[t] = slice.Count == 0 ? [] : RunGroup(group.Key, slice, report);
                });
                tallies = parts.SelectMany(p => p).ToArray();
            }
            for (int j = 0; j < members.Count; j++)
                results[members[j].Index] = Outcome(members[j].Set.Id, tallies[j]);
        }
        foreach (var bundle in Bundles(lowRank.Select(g => g.NodeSet).ToList()))
        {
            var groups = lowRank.Where(g => bundle.Contains(g.NodeSet)).ToList();
            // A bundle's sessions stay until it is done: creating one node set's must not release another's.
            lock (sessions) pinned = [.. bundle];
            int chunk = LowRankChunkSize(bundle.Select(n => LowRankReader(n)!.Value));
            var tallies = groups.Select(g => g.Members.Select(_ => new Tally(classes)).ToArray()).ToList();
            var sweeps = groups.Select((g, i) =>
            {
                var groupSets = g.Members.Select(m => m.Set).ToList();
                return DenseReader(g.NodeSet) is { } dense ? DenseSweep(g.NodeSet, dense, groupSets, tallies[i], report)
                    : ConvSweep(g.NodeSet, ConvReader(g.NodeSet)!, groupSets, tallies[i], chunk, report);
            }).ToList();
            try
            {
                Sweep(bundle, sweeps, chunk);
            }
            finally
            {
                lock (sessions) pinned = [];
            }
            for (int i = 0; i < groups.Count; i++)
                for (int j = 0; j < groups[i].Members.Count; j++)
                    results[groups[i].Members[j].Index] = Outcome(groups[i].Members[j].Set.Id, tallies[i][j]);
        }
        return results;
    }

    /// <summary>Whether a node set's lesions share one prefix per chunk with the other low-rank node sets of a sweep.</summary>
    public bool SharesPrefix(int nodeSet) => LowRankReader(nodeSet) is not null;

    /// <summary>A node set whose lesions are low-rank updates of its reader (a dense layer or a plain conv): the reader's
    /// input and output; null when it takes the general path.</summary>
    private (string Input, string Output)? LowRankReader(int nodeSet)
    {
        if (nodeSet < 0 || !options.ReusePrefix || !options.LowRankDense) return null;
        // Deciding reads the reader's weights (a dense layer's whole matrix): once per node set.
        lock (lowRankReaders)
            return lowRankReaders.TryGetValue(nodeSet, out var known) ? known
                : lowRankReaders[nodeSet] = DenseReader(nodeSet) is { } dense ? (dense.Input, dense.Output)
                    : ConvReader(nodeSet) is { } conv ? (conv.Input, conv.Output)
                    : null;
    }

    private readonly Dictionary<int, (string Input, string Output)?> lowRankReaders = new();

    /// <summary>Node sets swept with one shared prefix: consecutive ones, as long as holding all their readers' tensors
    /// keeps a chunk at least half the size each would have alone (a large model's many readers split into bundles
    /// rather than shrink the chunk to a few examples), and as long as their cut models plausibly fit the memory budget
    /// together (each counted at twice the model file: a bundle's sessions are kept until it is done).</summary>
    private List<List<int>> Bundles(List<int> nodeSets)
    {
        long fileBytes = File.Exists(network.Path) ? new FileInfo(network.Path).Length : 0;
        long perBundle = Math.Max(1, options.MemoryBudget.Bytes / Math.Max(1, 2 * fileBytes));
        var bundles = new List<List<int>>();
        foreach (int nodeSet in nodeSets)
        {
            var last = bundles.LastOrDefault();
            if (last is not null && last.Count < perBundle)
            {
                var joined = last.Append(nodeSet).ToList();
                int alone = joined.Min(n => LowRankChunkSize([LowRankReader(n)!.Value]));
                if (LowRankChunkSize(joined.Select(n => LowRankReader(n)!.Value)) * 2 >= alone)
                {
                    last.Add(nodeSet);
                    continue;
                }
            }
            bundles.Add([nodeSet]);
        }
        return bundles;
    }

    /// <summary>The outcome of an empty set of an analysable node set once the baseline is known; null when the set must
    /// be run.</summary>
    private LesionOutcome? IntactOutcome(LesionSet set) =>
        set.NodeSet < 0 || set.Units.Length > 0 || baseline is null || !maskOf.ContainsKey(set.NodeSet) ? null
            : baseline with { Id = set.Id, OutputChange = double.IsNaN(baseline.OutputChange) ? double.NaN : 0 };

    private LesionOutcome Outcome(string id, Tally tally)
    {
        var counts = new long[classes];
        foreach (int label in targets ?? DataTargets())
            if (label >= 0) counts[label]++;
        double accuracy = tally.Correct.Sum() / (double)Math.Max(1, counts.Sum());
        var perClass = Enumerable.Range(0, classes).Select(c => counts[c] == 0 ? double.NaN : tally.Correct[c] / (double)counts[c]).ToArray();
        return new LesionOutcome(id, accuracy, perClass, intact is null ? double.NaN : tally.Change / ((double)data.Count * layout.Positions));
    }

    /// <summary>Examples per chunk that lesions of a node set run in (a plan times one chunk's worth); for the general
    /// path, whose cut is not built here, the chunk of its reader's input.</summary>
    public int ChunkExamples(int nodeSet)
    {
        if (LowRankReader(nodeSet) is { } reader) return LowRankChunkSize([reader]);
        string input = network.Graph.Nodes[maskOf[nodeSet].NodeIndex].Inputs[0];
        return ChunkSize(network.Shapes.Shapes.ContainsKey(input) ? ElementsPerExample(input) : 0);
    }

    /// <summary>Correct predictions per class for each set of one node set (all ones masks elsewhere).</summary>
    private Tally[] RunGroup(int nodeSet, List<LesionSet> sets, Action<int>? progress)
    {
        var tallies = sets.Select(_ => new Tally(classes)).ToArray();
        // A cut tiles the tensors crossing it along their batch axis 0; a time-major reader's input runs whole instead.
        bool cutModel = options.ReusePrefix && nodeSet >= 0 && maskOf[nodeSet].BatchAxis == 0;
        var (prefix, suffix, cut) = Sessions(nodeSet, cutModel);
        var masksToFeed = cutModel ? rewriter.Masks.Where(m => cut!.Suffix.Inputs.Contains(m)).ToList() : rewriter.Masks.ToList();
        int exampleSize = data.ExampleSize;
        int chunk = ChunkSize(cutModel ? cut!.Frontier.Sum(t => network.Shapes.Shapes.ContainsKey(t) ? ElementsPerExample(t) : 0) : 0);
        var batch = new float[chunk * exampleSize];
        long suffixValues = network.ActivationValuesPerExample(cutModel ? maskOf[nodeSet].NodeIndex : 0);
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            List<TensorInput> fixedInputs;
            if (cutModel)
            {
                var frontier = RunPrefix(prefix!, cut!.Prefix.Inputs, input, count, cut!.Frontier);
                fixedInputs = cut.Frontier.Select((name, i) => new TensorInput(name, frontier[i].Data, frontier[i].Shape)).ToList();
                if (cut.Suffix.Inputs.Contains(rewriter.DataInput)) fixedInputs.Add(input);
            }
            else
            {
                fixedInputs = [input];
            }
            // Several masks per run only pay off for small suffixes (per-run overhead); large tiled inputs cost more in
            // copies and allocations than they save, so a run stays within the budget and within RowsPerRun rows.
            // A row holds the tiled inputs and whatever the suffix computes from them.
            long bytesPerExample = (fixedInputs.Sum(t => t.Data.LongLength / count) + suffixValues) * sizeof(float);
            long byBudget = StreamBudget / Math.Max(1, bytesPerExample * count);
            int masksPerRun = (int)Math.Clamp(Math.Min(byBudget, options.RowsPerRun / count), 1, sets.Count);
            for (int first = 0; first < sets.Count; first += masksPerRun)
            {
                int m = Math.Min(masksPerRun, sets.Count - first);
                var inputs = fixedInputs.Select(t => Tile(t, m, count)).ToList();
                foreach (string maskName in masksToFeed)
                {
                    if (maskName != (nodeSet >= 0 ? maskOf[nodeSet].MaskName : null))
                    {
                        inputs.Add(Ones(maskName, m * count));
                        continue;
                    }
                    var point = maskOf[nodeSet];
                    var mask = new float[m * count * point.Units];
                    Array.Fill(mask, 1f);
                    for (int j = 0; j < m; j++)
                        foreach (int unit in sets[first + j].Units)
                            for (int e = 0; e < count; e++)
                                mask[((j * count) + e) * point.Units + unit] = 0f;
                    inputs.Add(new TensorInput(maskName, mask, [m * count, point.Units]));
                }
                Score(suffix.Run(inputs, [rewriter.Output])[0].Data, m, count, start, tallies, first, capture: nodeSet < 0 && sets[first].Units.Length == 0);
                progress?.Invoke(m * count);
            }
        }
        return tallies;
    }

    /// <summary>Runs a prefix on a chunk with every mask it reads set to ones (nothing removed before the cut).</summary>
    private IReadOnlyList<(float[] Data, long[] Shape)> RunPrefix(OnnxSession prefix, IReadOnlyList<string> prefixInputs, TensorInput input, int count,
        IReadOnlyList<string> outputs)
    {
        long since = System.Diagnostics.Stopwatch.GetTimestamp();
        var inputs = new List<TensorInput> { input };
        foreach (string maskName in prefixInputs.Where(n => n != rewriter.DataInput))
            inputs.Add(Ones(maskName, count));
        var result = prefix.Run(inputs, outputs);
        options.Timings?.Add(LesionPhaseTimes.Phase.Prefix, since);
        return result;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, int), float[]> onesCache = new();

    /// <summary>An all-ones mask (nothing removed) for <paramref name="rows"/> rows; cached, never written to.</summary>
    private TensorInput Ones(string maskName, int rows)
    {
        int units = maskOf.Values.First(p => p.MaskName == maskName).Units;
        var ones = onesCache.GetOrAdd((maskName, rows), _ =>
        {
            var values = new float[rows * units];
            Array.Fill(values, 1f);
            return values;
        });
        return new TensorInput(maskName, ones, [rows, units]);
    }

    /// <summary>Repeats a [count, ...] tensor m times along the batch axis.</summary>
    private static TensorInput Tile(TensorInput t, int m, int count)
    {
        if (m == 1) return t;
        var data = new float[t.Data.Length * m];
        for (int j = 0; j < m; j++) Array.Copy(t.Data, 0, data, j * t.Data.Length, t.Data.Length);
        long[] shape = [m * count, .. t.Shape.Skip(1)];
        return new TensorInput(t.Name, data, shape);
    }

    private (OnnxSession? Prefix, OnnxSession Suffix, ModelCut? Cut) Sessions(int nodeSet, bool cutModel)
    {
        // Concurrent streams share the sessions; the first to need one creates it.
        lock (sessions)
        {
            if (!cutModel)
            {
                full ??= OnnxSession.Create(rewriter.Full().Bytes, network.Path, options.Device, SessionThreads, options.Note);
                return (null, full, null);
            }
            if (!sessions.TryGetValue(nodeSet, out var entry))
            {
                var cut = rewriter.CutBefore(maskOf[nodeSet].NodeIndex);
                long bytes = cut.Prefix.Bytes.LongLength + cut.Suffix.Bytes.LongLength;
                MakeRoom(nodeSet, bytes);
                entry = (OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, SessionThreads, options.Note),
                         OnnxSession.Create(cut.Suffix.Bytes, network.Path, options.Device, SessionThreads, options.Note), cut.WithoutModels());
                sessions[nodeSet] = entry;
                var created = entry;
                Remember(nodeSet, bytes, () =>
                {
                    sessions.Remove(nodeSet);
                    created.Prefix?.Dispose();
                    created.Suffix.Dispose();
                });
            }
            Touch(nodeSet);
            return entry;
        }
    }

    /// <summary>Cached sessions of cut models, oldest use first: the node set, the bytes of its models, how to release them.</summary>
    private readonly LinkedList<(int NodeSet, long Bytes, Action Release)> cached = new();

    /// <summary>
    /// Releases the least recently used sessions of other node sets until the cached models and a new one of
    /// <paramref name="bytes"/> fit in the memory budget (docs/design.md): a large model keeps the sessions of one node
    /// set at a time, a small one keeps them all. A node set's own sessions stay, as its concurrent streams use them.
    /// </summary>
    private void MakeRoom(int nodeSet, long bytes)
    {
        long total = cached.Sum(c => c.Bytes) + bytes;
        for (var node = cached.First; node is not null && total > options.MemoryBudget.Bytes;)
        {
            var next = node.Next;
            if (node.Value.NodeSet != nodeSet && !pinned.Contains(node.Value.NodeSet))
            {
                Evictions++;
                node.Value.Release();
                total -= node.Value.Bytes;
                cached.Remove(node);
            }
            node = next;
        }
    }

    /// <summary>Node sets whose sessions the sweep under way needs (never released by <see cref="MakeRoom"/>).</summary>
    private HashSet<int> pinned = [];

    /// <summary>Sessions released to stay within the memory budget so far (a plan counts their re-creation).</summary>
    public int Evictions { get; private set; }

    private void Remember(int nodeSet, long bytes, Action release) => cached.AddLast((nodeSet, bytes, release));

    /// <summary>Marks a node set's sessions as the most recently used.</summary>
    private void Touch(int nodeSet)
    {
        var mine = cached.Where(c => c.NodeSet == nodeSet).ToList();
        foreach (var entry in mine)
        {
            cached.Remove(entry);
            cached.AddLast(entry);
        }
    }

    public void Dispose()
    {
        full?.Dispose();
        foreach (var stage in lowRankStages.Values)
        {
            if (stage.Prefix.IsValueCreated) stage.Prefix.Value.Dispose();
            stage.Suffix?.Dispose();
        }
        foreach (var shared in sharedPrefixes.Values) shared.Session.Dispose();
        foreach (var (prefix, suffix, _) in sessions.Values)
        {
            prefix?.Dispose();
            suffix?.Dispose();
        }
    }
}
