using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>What the low-rank lesion paths share: the model cut after the reader, its sessions, and the chunk loop that
/// runs one prefix per chunk for every node set being lesioned and hands each its reader's input x and unlesioned
/// output y0, then runs all their lesions' suffixes on concurrent streams.</summary>
public sealed partial class LesionEngine
{
    /// <summary>The prefix (up to and including the reader; created only when a node set is swept alone), the low-rank
    /// suffix (null when the reader's output is the model's, or when the engine's own <see cref="DenseChain"/> runs it)
    /// and the suffix's inputs.</summary>
    private sealed record LowRankStage(Lazy<OnnxSession> Prefix, OnnxSession? Suffix, ModelCut Cut, IReadOnlyList<string> SuffixInputs,
        IOwnSuffix? Chain = null);

    /// <summary>One chunk of examples as the low-rank paths see it.</summary>
    private sealed record LowRankChunk(int Start, int Count, (float[] Data, long[] Shape) X, (float[] Data, long[] Shape) Y0,
        List<TensorInput> Others, List<string> Masks);

    /// <summary>A node set's low-rank lesions: its stage, its reader's input and output, and the suffix runs that one
    /// chunk needs (each builds its inputs, runs the suffix and scores its lesions; runs touch distinct tallies).</summary>
    private sealed record LowRankSweep(LowRankStage Stage, string Input, string Output, Func<LowRankChunk, IReadOnlyList<Action>> Runs);

    private readonly Dictionary<(int NodeSet, int Variant), LowRankStage> lowRankStages = new();

    /// <summary>The cached stage of a node set's reader, built once per variant of its suffix (thread-safe).</summary>
    private LowRankStage Stage(int nodeSet, int readerNodeIndex, string readerInput, string readerOutput, Func<RewrittenModel?> suffix,
        int variant = 0, Func<IOwnSuffix?>? ownSuffix = null)
    {
        lock (sessions)
        {
            if (!lowRankStages.TryGetValue((nodeSet, variant), out var stage))
            {
                var cut = rewriter.CutBefore(readerNodeIndex + 1, [readerInput, readerOutput]);
                var chain = ownSuffix?.Invoke();
                var model = chain is null ? suffix() : null;
                long bytes = cut.Prefix.Bytes.LongLength + (model?.Bytes.LongLength ?? 0) + (chain?.Bytes ?? 0);
                MakeRoom(nodeSet, bytes);
                var prefixBytes = cut.Prefix.Bytes;
                stage = new LowRankStage(
                    new Lazy<OnnxSession>(() => OnnxSession.Create(prefixBytes, network.Path, options.Device, PrefixThreads, options.Note)),
                    model is null ? null : OnnxSession.Create(model.Bytes, network.Path, options.Device, SessionThreads, options.Note),
                    cut.WithoutModels(), model?.Inputs ?? [], chain);
                lowRankStages[(nodeSet, variant)] = stage;
                Remember(nodeSet, bytes, () =>
                {
                    lowRankStages.Remove((nodeSet, variant));
                    if (stage.Prefix.IsValueCreated) stage.Prefix.Value.Dispose();
                    stage.Suffix?.Dispose();
                });
            }
            Touch(nodeSet);
            return stage;
        }
    }

    /// <summary>The prefix runs alone, between the chunks' suffix runs: it may use every core.</summary>
    private int PrefixThreads => options.Threads > 0 ? options.Threads : 0;

    /// <summary>One prefix for several node sets: the model cut after the last of their readers, giving every tensor
    /// their suffixes read. Null when a crossing tensor is renamed at the cut (integer shape arithmetic), which a shared
    /// prefix would not rename alike.</summary>
    private (OnnxSession Session, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)? SharedPrefix(IReadOnlyList<int> nodeSets, IReadOnlyList<LowRankStage> stages)
    {
        var outputs = stages.SelectMany(s => s.Cut.Prefix.Outputs).Distinct().ToList();
        if (outputs.Any(o => o.EndsWith("__as_float", StringComparison.Ordinal))) return null;
        string key = string.Join(",", nodeSets);
        lock (sessions)
        {
            if (sharedPrefixes.TryGetValue(key, out var shared)) return shared;
            int last = nodeSets.Max(n => network.Neurons.Trace.Layers[network.Neurons.NodeSets[n].ReaderLayer].NodeIndex);
            var cut = rewriter.CutBefore(last + 1, outputs);
            if (!outputs.All(cut.Prefix.Outputs.Contains)) return null;
            MakeRoom(SharedPrefixKey, cut.Prefix.Bytes.LongLength);
            var session = OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, PrefixThreads, options.Note);
            shared = (session, cut.Prefix.Inputs, cut.Prefix.Outputs);
            sharedPrefixes[key] = shared;
            Remember(SharedPrefixKey, cut.Prefix.Bytes.LongLength, () =>
            {
                sharedPrefixes.Remove(key);
                session.Dispose();
            });
            return shared;
        }
    }

    /// <summary>The node-set key under which shared prefixes are cached (no node set has it).</summary>
    private const int SharedPrefixKey = int.MinValue;

    private readonly Dictionary<string, (OnnxSession Session, IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs)> sharedPrefixes = new();

    /// <summary>Examples per chunk of the low-rank paths, whose prefix serves one reader or several: every reader's input
    /// and output are held (ImageNet-size activations shrink the chunk).</summary>
    private int LowRankChunkSize(IEnumerable<(string Input, string Output)> readers) =>
        ChunkSize(readers.Sum(r => ElementsPerExample(r.Input) + ElementsPerExample(r.Output)));

    /// <summary>
    /// Examples per chunk: at most <see cref="LesionOptions.ChunkSize"/>, and few enough that a chunk's input, the
    /// <paramref name="heldFloats"/> per example the path keeps, and two of the model's largest activations (what
    /// ONNX Runtime holds while a layer runs) fit in the memory budget.
    /// </summary>
    private int ChunkSize(long heldFloats)
    {
        long floatsPerExample = data.ExampleSize + heldFloats + 2 * largestActivation.Value;
        long byBudget = StreamBudget / Math.Max(1, floatsPerExample * sizeof(float));
        return (int)Math.Clamp(byBudget, 1, Math.Max(1, Math.Min(options.ChunkSize, data.Count)));
    }

    /// <summary>Values of one example of the model's largest non-constant tensor.</summary>
    private readonly Lazy<long> largestActivation;

    private long LargestActivation() => network.Activations().Select(ElementsPerExample).DefaultIfEmpty(1).Max();

    private long ElementsPerExample(string tensor) => network.ValuesPerExample(tensor);

    /// <summary>
    /// Runs the sweeps chunk by chunk: one prefix per chunk (shared by every node set when it can be), then every
    /// sweep's suffix runs for that chunk on <see cref="Streams"/> concurrent streams. The prefix is computed once per
    /// example whatever the number of node sets and streams (docs/design.md, lesion speed).
    /// </summary>
    private void Sweep(IReadOnlyList<int> nodeSets, IReadOnlyList<LowRankSweep> sweeps, int chunk)
    {
        int exampleSize = data.ExampleSize;
        var batch = new float[chunk * exampleSize];
        var shared = sweeps.Count > 1 ? SharedPrefix(nodeSets, sweeps.Select(s => s.Stage).ToList()) : null;
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            var runs = new List<Action>();
            Dictionary<string, (float[] Data, long[] Shape)>? sharedOut = null;
            if (shared is { } s)
            {
                var produced = RunPrefix(s.Session, s.Inputs, input, count, s.Outputs);
                sharedOut = s.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => produced[p.i]);
            }
            foreach (var sweep in sweeps)
            {
                var stage = sweep.Stage;
                var byName = sharedOut ?? PrefixOutputs(stage, input, count);
                var others = stage.SuffixInputs.Where(n => byName.ContainsKey(n) && n != sweep.Output)
                    .Select(n => new TensorInput(n, byName[n].Data, byName[n].Shape)).ToList();
                if (stage.SuffixInputs.Contains(rewriter.DataInput)) others.Add(input);
                var masks = stage.SuffixInputs.Where(n => rewriter.Masks.Contains(n)).ToList();
                runs.AddRange(sweep.Runs(new LowRankChunk(start, count, byName[sweep.Input], byName[sweep.Output], others, masks)));
            }
            if (Streams <= 1 || runs.Count == 1)
                foreach (var run in runs) run();
            else
                Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = Streams }, run => run());
        }
    }

    private Dictionary<string, (float[] Data, long[] Shape)> PrefixOutputs(LowRankStage stage, TensorInput input, int count)
    {
        var produced = RunPrefix(stage.Prefix.Value, stage.Cut.Prefix.Inputs, input, count, stage.Cut.Prefix.Outputs);
        return stage.Cut.Prefix.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => produced[p.i]);
    }

    /// <summary>Adds the tiled frontier tensors and all-ones masks to a run's inputs, runs the low-rank suffix and
    /// counts correct answers for the first <paramref name="scored"/> of its <paramref name="lesions"/> lesions (sets
    /// first, first + 1, ...; the rest are padding). Without a suffix (the reader gives the model's output) the one
    /// input is the output.</summary>
    private void RunLowRank(LowRankStage stage, LowRankChunk chunk, List<TensorInput> inputs, int lesions, int scored,
        Tally[] tallies, int first)
    {
        if (stage.Suffix is not null)
        {
            inputs.AddRange(chunk.Others.Select(t => Tile(t, lesions, chunk.Count)));
            inputs.AddRange(chunk.Masks.Select(name => Ones(name, lesions * chunk.Count)));
        }
        long since = System.Diagnostics.Stopwatch.GetTimestamp();
        var outputs = stage.Suffix is null ? inputs[0].Data : stage.Suffix.Run(inputs, [rewriter.Output])[0].Data;
        options.Timings?.Add(LesionPhaseTimes.Phase.Suffix, since);
        since = System.Diagnostics.Stopwatch.GetTimestamp();
        Score(outputs, scored, chunk.Count, chunk.Start, tallies, first);
        options.Timings?.Add(LesionPhaseTimes.Phase.Score, since);
    }

    /// <summary>Scores the outputs [lesions·count x outputs] of <paramref name="lesions"/> lesions (sets first, first + 1,
    /// ...) of a chunk's <paramref name="count"/> examples that the engine's own chain computes, its reader outputs filled
    /// as it goes (the fill is timed with the suffix).</summary>
    private void RunChain(Func<float[]> chain, int start, int count, int lesions, Tally[] tallies, int first)
    {
        long since = System.Diagnostics.Stopwatch.GetTimestamp();
        var outputs = chain();
        options.Timings?.Add(LesionPhaseTimes.Phase.Suffix, since);
        since = System.Diagnostics.Stopwatch.GetTimestamp();
        Score(outputs, lesions, count, start, tallies, first);
        options.Timings?.Add(LesionPhaseTimes.Phase.Score, since);
    }
}
