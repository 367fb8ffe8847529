using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Analyzer.Core.Analysis;
using Analyzer.Core.Datasets;
using Analyzer.Core.Graphs;
using Analyzer.Onnx;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Lesions;

/// <summary>
/// Accuracy of a model with sets of units removed (METHOD.md 6), through ONNX Runtime. The model is rewritten once with
/// a mask input per analysable node set; for each lesioned node set the network is cut before the layer that reads it,
/// the unchanged prefix runs once per chunk of examples, and the suffix evaluates many masks per run by tiling the
/// prefix's outputs. Memory stays within <see cref="LesionOptions.MemoryBudget"/>: chunks and mask batches shrink to fit.
/// </summary>
public sealed class LesionEngine : IDisposable
{
    private readonly ModelNetwork network;
    private readonly ImageDataset data;
    private readonly LesionOptions options;
    private readonly LesionRewriter rewriter;
    private readonly Dictionary<int, MaskPoint> maskOf = new();
    private readonly Dictionary<int, (OnnxSession? Prefix, OnnxSession Suffix, ModelCut? Cut)> sessions = new();
    private OnnxSession? full;
    private readonly int classes;

    public LesionEngine(ModelNetwork network, ImageDataset data, LesionOptions options)
    {
        this.network = network;
        this.data = data;
        this.options = options;
        var input = network.Shapes.ShapeOf(network.Graph.Inputs[0].Name);
        long perExample = input.Skip(1).Aggregate(1L, (a, d) => a * d);
        if (perExample != data.ExampleSize)
            throw new DataFormatException($"{data.Source}: examples of {data.Channels}x{data.Height}x{data.Width} do not fit the model's input [{string.Join(", ", input)}] ({network.Path})");
        classes = (int)network.Shapes.ShapeOf(network.Graph.Outputs[0].Name)[^1];
        int badLabel = Array.FindIndex(data.Labels, l => l >= classes);
        if (badLabel >= 0)
            throw new DataFormatException($"{data.Source}: label {data.Labels[badLabel]} of example {badLabel} is outside the model's {classes} classes ({network.Path})");
        var points = new List<MaskPoint>();
        foreach (var set in network.Neurons.NodeSets.Where(s => s.Analysed))
        {
            var reader = network.Neurons.Trace.Layers[set.ReaderLayer];
            var point = new MaskPoint($"analyzer_mask_{set.Index}", reader.NodeIndex, set.Units, reader.InputShape.Length, reader.FeatureUnits);
            points.Add(point);
            maskOf[set.Index] = point;
        }
        rewriter = new LesionRewriter(OnnxModelFile.Load(network.Path), points);
    }

    /// <summary>The provider that ran the model, e.g. "cpu (CPUExecutionProvider)".</summary>
    public string Provider => (full ?? sessions.Values.Select(s => s.Suffix).FirstOrDefault())?.Provider ?? "not run";

    public int Classes => classes;

    /// <summary>Accuracy of the unlesioned model.</summary>
    public LesionOutcome Baseline() => Evaluate([new LesionSet("baseline", -1, [])])[0];

    /// <summary>Accuracy after each lesion; the sets may name any analysable node sets.</summary>
    public IReadOnlyList<LesionOutcome> Evaluate(IReadOnlyList<LesionSet> sets, Action<int>? progress = null)
    {
        var results = new LesionOutcome[sets.Count];
        foreach (var group in sets.Select((s, i) => (Set: s, Index: i)).GroupBy(x => x.Set.NodeSet))
        {
            var members = group.ToList();
            if (group.Key >= 0 && !maskOf.ContainsKey(group.Key))
                throw new ArgumentException($"node set {group.Key} is not analysable", nameof(sets));
            var correct = RunGroup(group.Key, members.Select(m => m.Set).ToList(), progress);
            for (int j = 0; j < members.Count; j++)
                results[members[j].Index] = Outcome(members[j].Set.Id, correct[j]);
        }
        return results;
    }

    private LesionOutcome Outcome(string id, long[] correctPerClass)
    {
        var counts = new long[classes];
        foreach (int label in data.Labels) counts[label]++;
        double accuracy = correctPerClass.Sum() / (double)data.Count;
        var perClass = Enumerable.Range(0, classes).Select(c => counts[c] == 0 ? double.NaN : correctPerClass[c] / (double)counts[c]).ToArray();
        return new LesionOutcome(id, accuracy, perClass);
    }

    /// <summary>Correct predictions per class for each set of one node set (all ones masks elsewhere).</summary>
    private long[][] RunGroup(int nodeSet, List<LesionSet> sets, Action<int>? progress)
    {
        if (nodeSet >= 0 && options.ReusePrefix && options.LowRankDense && DenseReader(nodeSet) is { } dense)
            return RunGroupLowRank(nodeSet, dense, sets, progress);
        var correct = sets.Select(_ => new long[classes]).ToArray();
        bool cutModel = options.ReusePrefix && nodeSet >= 0;
        var (prefix, suffix, cut) = Sessions(nodeSet, cutModel);
        var masksToFeed = cutModel ? rewriter.Masks.Where(m => cut!.Suffix.Inputs.Contains(m)).ToList() : rewriter.Masks.ToList();
        int exampleSize = data.ExampleSize;
        int chunk = Math.Max(1, Math.Min(options.ChunkSize, data.Count));
        var batch = new float[chunk * exampleSize];
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            List<TensorInput> fixedInputs;
            if (cutModel)
            {
                var frontier = RunPrefix(prefix!, cut!, input, count, cut!.Frontier);
                fixedInputs = cut.Frontier.Select((name, i) => new TensorInput(name, frontier[i].Data, frontier[i].Shape)).ToList();
                if (cut.Suffix.Inputs.Contains(rewriter.DataInput)) fixedInputs.Add(input);
            }
            else
            {
                fixedInputs = [input];
            }
            // Several masks per run only pay off for small suffixes (per-run overhead); large tiled inputs cost more in
            // copies and allocations than they save, so a run stays within the budget and within RowsPerRun rows.
            long bytesPerExample = fixedInputs.Sum(t => t.Data.LongLength / count) * sizeof(float);
            long byBudget = options.MemoryBudget / Math.Max(1, bytesPerExample * count);
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
                Score(suffix.Run(inputs, [rewriter.Output])[0].Data, m, count, start, correct, first);
                progress?.Invoke(m * count);
            }
        }
        return correct;
    }

    /// <summary>The signed weights of a node set's dense reader as W'[feature, output] (alpha folded in), with the
    /// names of its data input and output; null when the reader is not a plain Gemm/MatMul.</summary>
    private DenseReaderInfo? DenseReader(int nodeSet)
    {
        var set = network.Neurons.NodeSets[nodeSet];
        var layer = network.Neurons.Trace.Layers[set.ReaderLayer];
        if (layer.Op is not ("Gemm" or "MatMul")) return null;
        var node = network.Graph.Nodes[layer.NodeIndex];
        var weight = network.Shapes.ConstantOf(node.Input(1));
        if (weight is null || weight.Shape.Length != 2) return null;
        int features = (int)layer.InputShape[1], outputs = layer.Outputs;
        bool transB = layer.Op == "Gemm" && node.GetInt("transB", 0) != 0;
        double alpha = layer.Op == "Gemm" ? node.GetFloat("alpha", 1.0) : 1.0;
        var w = new float[features * outputs];
        var values = weight.Floats ?? weight.AsDoubles();
        for (int f = 0; f < features; f++)
            for (int j = 0; j < outputs; j++)
                w[f * outputs + j] = (float)(alpha * (transB ? values[j * features + f] : values[f * outputs + j]));
        var featureUnits = layer.FeatureUnits ?? Enumerable.Range(0, features).ToArray();
        var featuresOf = Enumerable.Range(0, set.Units).Select(u => new List<int>()).ToArray();
        for (int f = 0; f < features; f++) featuresOf[featureUnits[f]].Add(f);
        return new DenseReaderInfo(node.Inputs[0], node.Outputs[0], features, outputs, w, featuresOf.Select(l => l.ToArray()).ToArray(), layer.NodeIndex);
    }

    private sealed record DenseReaderInfo(string Input, string Output, int Features, int Outputs, float[] Weights,
        int[][] FeaturesOfUnit, int NodeIndex);

    /// <summary>
    /// Lesions of a node set read by a dense layer y = x W' (+ bias): the prefix, cut after the reader, gives x and the
    /// unlesioned y0 once per chunk; a lesion of units U gives y = y0 - x[:, F_U] W'[F_U, :], a rank-|F_U| update, and
    /// only the layers after the reader run per lesion.
    /// </summary>
    private long[][] RunGroupLowRank(int nodeSet, DenseReaderInfo reader, List<LesionSet> sets, Action<int>? progress)
    {
        var correct = sets.Select(_ => new long[classes]).ToArray();
        int key = -1 - nodeSet; // sessions cut after the reader, cached apart from the cut before it
        // When the reader computes the model's output, nothing runs after it: the updated y are the logits.
        bool direct = reader.Output == rewriter.Output;
        if (!sessions.TryGetValue(key, out var entry))
        {
            var cut = rewriter.CutBefore(reader.NodeIndex + 1, [reader.Input, reader.Output]);
            entry = (OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, options.Threads, options.Note),
                     direct ? null! : OnnxSession.Create(cut.Suffix.Bytes, network.Path, options.Device, options.Threads, options.Note), cut);
            sessions[key] = entry;
        }
        var (prefix, suffix, modelCut) = entry;
        var cutInfo = modelCut!;
        int exampleSize = data.ExampleSize;
        int chunk = Math.Max(1, Math.Min(options.ChunkSize, data.Count));
        var batch = new float[chunk * exampleSize];
        int outputs = reader.Outputs, features = reader.Features;
        var removedOf = sets.Select(set => set.Units.SelectMany(u => reader.FeaturesOfUnit[u]).Order().ToArray()).ToArray();
        int maxMasks = Math.Clamp(options.RowsPerRun / chunk, 1, sets.Count);
        var buffer = new float[maxMasks * chunk * outputs]; // reused: the suffix copies what it needs
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            var prefixOut = RunPrefix(prefix!, cutInfo, input, count, cutInfo.Prefix.Outputs);
            var byName = cutInfo.Prefix.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => prefixOut[p.i]);
            float[] x = byName[reader.Input].Data, y0 = byName[reader.Output].Data;
            var others = cutInfo.Suffix.Inputs.Where(n => n != reader.Output && byName.ContainsKey(n))
                .Select(n => new TensorInput(n, byName[n].Data, byName[n].Shape)).ToList();
            if (cutInfo.Suffix.Inputs.Contains(rewriter.DataInput)) others.Add(input);
            var masks = cutInfo.Suffix.Inputs.Where(n => rewriter.Masks.Contains(n)).ToList();
            int masksPerRun = Math.Clamp(options.RowsPerRun / count, 1, sets.Count);
            for (int first = 0; first < sets.Count; first += masksPerRun)
            {
                int m = Math.Min(masksPerRun, sets.Count - first);
                var y = m * count * outputs == buffer.Length ? buffer : new float[m * count * outputs];
                int firstSet = first;
                Parallel.For(0, m, Analyzer.Kernels.Parallelism.Options(), j =>
                {
                    Subtract(x, features, reader.Weights, outputs, removedOf[firstSet + j], y0, y.AsSpan(j * count * outputs, count * outputs), count);
                });
                float[] logits = y;
                if (!direct)
                {
                    var inputs = new List<TensorInput> { new(reader.Output, y, [m * count, outputs]) };
                    inputs.AddRange(others.Select(t => Tile(t, m, count)));
                    inputs.AddRange(masks.Select(name => Ones(name, m * count)));
                    logits = suffix.Run(inputs, [rewriter.Output])[0].Data;
                }
                Score(logits, m, count, start, correct, first);
                progress?.Invoke(m * count);
            }
        }
        return correct;
    }

    /// <summary>
    /// y = y0 - x[:, removed] · W'[removed, :] for every example. Blocks of 64 outputs stay in four AVX-512 registers
    /// while the removed features stream past, so each weight row is loaded once per example and block.
    /// </summary>
    internal static void Subtract(float[] x, int features, float[] w, int outputs, int[] removed, float[] y0, Span<float> y, int count)
    {
        y0.AsSpan(0, count * outputs).CopyTo(y);
        int blocked = Vector512.IsHardwareAccelerated ? outputs / 32 * 32 : 0;
        int e = 0;
        // Four examples at a time share each weight load: 4 rows x 32 outputs = 8 accumulators.
        for (; e + 4 <= count && blocked > 0; e += 4)
            for (int b = 0; b < blocked; b += 32)
            {
                var r0 = MemoryMarshal.Cast<float, Vector512<float>>(y.Slice(e * outputs + b, 32));
                var r1 = MemoryMarshal.Cast<float, Vector512<float>>(y.Slice((e + 1) * outputs + b, 32));
                var r2 = MemoryMarshal.Cast<float, Vector512<float>>(y.Slice((e + 2) * outputs + b, 32));
                var r3 = MemoryMarshal.Cast<float, Vector512<float>>(y.Slice((e + 3) * outputs + b, 32));
                Vector512<float> a00 = r0[0], a01 = r0[1], a10 = r1[0], a11 = r1[1], a20 = r2[0], a21 = r2[1], a30 = r3[0], a31 = r3[1];
                foreach (int f in removed)
                {
                    var wv = MemoryMarshal.Cast<float, Vector512<float>>(w.AsSpan(f * outputs + b, 32));
                    Vector512<float> w0 = wv[0], w1 = wv[1];
                    var s0 = Vector512.Create(-x[e * features + f]);
                    var s1 = Vector512.Create(-x[(e + 1) * features + f]);
                    var s2 = Vector512.Create(-x[(e + 2) * features + f]);
                    var s3 = Vector512.Create(-x[(e + 3) * features + f]);
                    a00 = Vector512.FusedMultiplyAdd(s0, w0, a00); a01 = Vector512.FusedMultiplyAdd(s0, w1, a01);
                    a10 = Vector512.FusedMultiplyAdd(s1, w0, a10); a11 = Vector512.FusedMultiplyAdd(s1, w1, a11);
                    a20 = Vector512.FusedMultiplyAdd(s2, w0, a20); a21 = Vector512.FusedMultiplyAdd(s2, w1, a21);
                    a30 = Vector512.FusedMultiplyAdd(s3, w0, a30); a31 = Vector512.FusedMultiplyAdd(s3, w1, a31);
                }
                r0[0] = a00; r0[1] = a01; r1[0] = a10; r1[1] = a11; r2[0] = a20; r2[1] = a21; r3[0] = a30; r3[1] = a31;
            }
        // The rest (a few examples, the outputs past the last full block, or no AVX-512): plain loops.
        for (int row = 0; row < count; row++)
        {
            int from = row < e ? blocked : 0;
            for (int i = from; i < outputs; i++)
            {
                float sum = y[row * outputs + i];
                foreach (int f in removed) sum -= x[row * features + f] * w[f * outputs + i];
                y[row * outputs + i] = sum;
            }
        }
    }

    /// <summary>Runs a prefix on a chunk with every mask it reads set to ones (nothing removed before the cut).</summary>
    private IReadOnlyList<(float[] Data, long[] Shape)> RunPrefix(OnnxSession prefix, ModelCut cut, TensorInput input, int count,
        IReadOnlyList<string> outputs)
    {
        var inputs = new List<TensorInput> { input };
        foreach (string maskName in cut.Prefix.Inputs.Where(n => n != rewriter.DataInput))
            inputs.Add(Ones(maskName, count));
        return prefix.Run(inputs, outputs);
    }

    /// <summary>Counts correct predictions per class: row j·count + e of the logits is example start + e under set first + j.</summary>
    private void Score(float[] logits, int m, int count, int start, long[][] correct, int first)
    {
        for (int j = 0; j < m; j++)
            for (int e = 0; e < count; e++)
            {
                int predicted = ArgMax(logits.AsSpan((j * count + e) * classes, classes));
                int label = data.Labels[start + e];
                if (predicted == label) correct[first + j][label]++;
            }
    }

    private readonly Dictionary<(string, int), float[]> onesCache = new();

    /// <summary>An all-ones mask (nothing removed) for <paramref name="rows"/> rows; cached, never written to.</summary>
    private TensorInput Ones(string maskName, int rows)
    {
        int units = maskOf.Values.First(p => p.MaskName == maskName).Units;
        if (!onesCache.TryGetValue((maskName, rows), out var ones))
        {
            ones = new float[rows * units];
            Array.Fill(ones, 1f);
            onesCache[(maskName, rows)] = ones;
        }
        return new TensorInput(maskName, ones, [rows, units]);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
            if (values[i] > values[best]) best = i;
        return best;
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
        if (!cutModel)
        {
            full ??= OnnxSession.Create(rewriter.Full().Bytes, network.Path, options.Device, options.Threads, options.Note);
            return (null, full, null);
        }
        if (!sessions.TryGetValue(nodeSet, out var entry))
        {
            var cut = rewriter.CutBefore(maskOf[nodeSet].NodeIndex);
            entry = (OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, options.Threads, options.Note),
                     OnnxSession.Create(cut.Suffix.Bytes, network.Path, options.Device, options.Threads, options.Note), cut);
            sessions[nodeSet] = entry;
        }
        return entry;
    }

    public void Dispose()
    {
        full?.Dispose();
        foreach (var (prefix, suffix, _) in sessions.Values)
        {
            prefix?.Dispose();
            suffix?.Dispose();
        }
    }
}
