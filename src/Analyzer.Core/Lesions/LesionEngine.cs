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
        if (nodeSet >= 0 && options.ReusePrefix && options.LowRankDense && ConvReader(nodeSet) is { } conv)
            return RunGroupLowRankConv(nodeSet, conv, sets, progress);
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
    /// unlesioned y0 once per chunk; a lesion of units U gives y = y0 - x[:, F_U] W'[F_U, :], a rank-|F_U| update
    /// computed by ONNX Runtime as one batched MatMul for several lesions of equal size, followed by the layers after
    /// the reader.
    /// </summary>
    private long[][] RunGroupLowRank(int nodeSet, DenseReaderInfo reader, List<LesionSet> sets, Action<int>? progress)
    {
        var correct = sets.Select(_ => new long[classes]).ToArray();
        int key = -1 - nodeSet; // sessions cut after the reader, cached apart from the cut before it
        if (!sessions.TryGetValue(key, out var entry))
        {
            var cut = rewriter.CutBefore(reader.NodeIndex + 1, [reader.Input, reader.Output]);
            var lowRank = rewriter.LowRankSuffix(reader.NodeIndex);
            entry = (OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, options.Threads, options.Note),
                     OnnxSession.Create(lowRank.Bytes, network.Path, options.Device, options.Threads, options.Note), cut);
            sessions[key] = entry;
            lowRankInputs[key] = lowRank.Inputs;
        }
        var (prefix, suffix, modelCut) = entry;
        var cutInfo = modelCut!;
        var suffixInputs = lowRankInputs[key];
        int exampleSize = data.ExampleSize;
        int chunk = Math.Max(1, Math.Min(options.ChunkSize, data.Count));
        var batch = new float[chunk * exampleSize];
        int outputs = reader.Outputs, features = reader.Features;
        // Features removed by each lesion; an empty lesion removes one dummy feature with zero weight.
        var removedOf = sets.Select(set => set.Units.SelectMany(u => reader.FeaturesOfUnit[u]).Order().ToArray()).ToArray();
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            var prefixOut = RunPrefix(prefix!, cutInfo, input, count, cutInfo.Prefix.Outputs);
            var byName = cutInfo.Prefix.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => prefixOut[p.i]);
            float[] x = byName[reader.Input].Data, y0 = byName[reader.Output].Data;
            var others = suffixInputs.Where(n => byName.ContainsKey(n) && n != reader.Output)
                .Select(n => new TensorInput(n, byName[n].Data, byName[n].Shape)).ToList();
            if (suffixInputs.Contains(rewriter.DataInput)) others.Add(input);
            var masks = suffixInputs.Where(n => rewriter.Masks.Contains(n)).ToList();
            int masksPerRun = Math.Clamp(options.RowsPerRun / count, 1, sets.Count);
            for (int first = 0; first < sets.Count;)
            {
                // Lesions of equal size share one batched MatMul.
                int size = removedOf[first].Length, m = 1;
                while (m < masksPerRun && first + m < sets.Count && removedOf[first + m].Length == size) m++;
                int r = Math.Max(1, size);
                var xu = new float[m * count * r];
                var wu = new float[m * r * outputs];
                for (int j = 0; j < m; j++)
                {
                    var removed = removedOf[first + j];
                    for (int q = 0; q < removed.Length; q++)
                    {
                        int f = removed[q];
                        for (int e = 0; e < count; e++) xu[(j * count + e) * r + q] = x[e * features + f];
                        Array.Copy(reader.Weights, f * outputs, wu, (j * r + q) * outputs, outputs);
                    }
                }
                var inputs = new List<TensorInput>
                {
                    new(LesionRewriter.BaseOutput, y0, [count, outputs]),
                    new(LesionRewriter.RemovedInputs, xu, [m, count, r]),
                    new(LesionRewriter.RemovedWeights, wu, [m, r, outputs]),
                };
                inputs.AddRange(others.Select(t => Tile(t, m, count)));
                inputs.AddRange(masks.Select(name => Ones(name, m * count)));
                Score(suffix.Run(inputs, [rewriter.Output])[0].Data, m, count, start, correct, first);
                progress?.Invoke(m * count);
                first += m;
            }
        }
        return correct;
    }

    private readonly Dictionary<int, IReadOnlyList<string>> lowRankInputs = new();

    private sealed record ConvReaderInfo(string Input, string Output, int NodeIndex, int InChannels, int OutChannels, int KernelSize,
        float[] Kernel, long[] KernelShape, IReadOnlyList<(string Name, long[] Ints, string? Text)> Attributes);

    /// <summary>A node set read by a plain (group 1) Conv with a constant kernel: its reader, for rank-|set| lesions.</summary>
    private ConvReaderInfo? ConvReader(int nodeSet)
    {
        var set = network.Neurons.NodeSets[nodeSet];
        var layer = network.Neurons.Trace.Layers[set.ReaderLayer];
        if (layer.Op != "Conv") return null;
        var node = network.Graph.Nodes[layer.NodeIndex];
        if (node.GetInt("group", 1) != 1 || network.Shapes.ConstantOf(node.Input(1)) is not { } weight || weight.Shape.Length != 4) return null;
        var attributes = new List<(string, long[], string?)>();
        foreach (string name in new[] { "pads", "strides", "dilations", "kernel_shape" })
            if (node.GetInts(name) is { } ints) attributes.Add((name, ints, null));
        string autoPad = node.GetString("auto_pad", "NOTSET");
        if (autoPad != "NOTSET") attributes.Add(("auto_pad", [], autoPad));
        var values = weight.AsDoubles();
        int kernelSize = (int)(weight.Shape[2] * weight.Shape[3]);
        return new ConvReaderInfo(node.Inputs[0], node.Outputs[0], layer.NodeIndex, (int)weight.Shape[1], (int)weight.Shape[0], kernelSize,
            values.Select(v => (float)v).ToArray(), weight.Shape, attributes);
    }

    /// <summary>
    /// Lesions of a node set read by a conv: the prefix, cut after the conv, gives its input x and unlesioned output
    /// y0 once per chunk; a lesion of input channels U subtracts conv_U(x_U), the conv restricted to those channels,
    /// computed for several equal-size lesions at once as one grouped conv, then the layers after the reader run.
    /// </summary>
    private long[][] RunGroupLowRankConv(int nodeSet, ConvReaderInfo reader, List<LesionSet> sets, Action<int>? progress)
    {
        var correct = sets.Select(_ => new long[classes]).ToArray();
        int key = -1 - nodeSet;
        int chunk = Math.Max(1, Math.Min(options.ChunkSize, data.Count));
        // The grouped conv's group count is fixed in the model: every run holds M lesions, padded with empty ones, and
        // each lesion's channels are padded with zero kernels to the run's largest lesion.
        int lesionsPerRun = Math.Max(1, options.RowsPerRun / chunk);
        if (!sessions.TryGetValue(key, out var entry))
        {
            var cut = rewriter.CutBefore(reader.NodeIndex + 1, [reader.Input, reader.Output]);
            var lowRank = rewriter.LowRankConvSuffix(reader.NodeIndex, [.. reader.Attributes, ("group", [lesionsPerRun], null)]);
            entry = (OnnxSession.Create(cut.Prefix.Bytes, network.Path, options.Device, options.Threads, options.Note),
                     OnnxSession.Create(lowRank.Bytes, network.Path, options.Device, options.Threads, options.Note), cut);
            sessions[key] = entry;
            lowRankInputs[key] = lowRank.Inputs;
        }
        var (prefix, suffix, modelCut) = entry;
        var cutInfo = modelCut!;
        var suffixInputs = lowRankInputs[key];
        int exampleSize = data.ExampleSize;
        var batch = new float[chunk * exampleSize];
        var ordered = sets.Select(set => set.Units.Order().ToArray()).ToArray();
        for (int start = 0; start < data.Count; start += chunk)
        {
            int count = Math.Min(chunk, data.Count - start);
            data.FillBatch(start, count, batch, options.Preprocessing);
            var input = new TensorInput(rewriter.DataInput, batch[..(count * exampleSize)], [count, .. network.Shapes.ShapeOf(rewriter.DataInput).Skip(1)]);
            var prefixOut = RunPrefix(prefix!, cutInfo, input, count, cutInfo.Prefix.Outputs);
            var byName = cutInfo.Prefix.Outputs.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => prefixOut[p.i]);
            var (x, xShape) = byName[reader.Input];
            var (y0, yShape) = byName[reader.Output];
            int plane = (int)(xShape[2] * xShape[3]);
            var others = suffixInputs.Where(n => byName.ContainsKey(n) && n != reader.Output)
                .Select(n => new TensorInput(n, byName[n].Data, byName[n].Shape)).ToList();
            if (suffixInputs.Contains(rewriter.DataInput)) others.Add(input);
            var masks = suffixInputs.Where(n => rewriter.Masks.Contains(n)).ToList();
            for (int first = 0; first < sets.Count;)
            {
                int used = Math.Min(lesionsPerRun, sets.Count - first), m = lesionsPerRun;
                int r = Math.Max(1, Enumerable.Range(first, used).Max(j => ordered[j].Length));
                // xu [count, m·r, H, W]: lesion j's removed channels; wu [m·C_out, r, kh, kw]: their kernels.
                var xu = new float[(long)count * m * r * plane];
                var wu = new float[m * reader.OutChannels * r * reader.KernelSize];
                for (int j = 0; j < used; j++)
                {
                    var removed = ordered[first + j];
                    for (int q = 0; q < removed.Length; q++)
                    {
                        int c = removed[q];
                        for (int e = 0; e < count; e++)
                            Array.Copy(x, ((long)e * reader.InChannels + c) * plane, xu, (((long)e * m + j) * r + q) * plane, plane);
                        for (int o = 0; o < reader.OutChannels; o++)
                            Array.Copy(reader.Kernel, (o * reader.InChannels + c) * reader.KernelSize, wu,
                                ((j * reader.OutChannels + o) * r + q) * reader.KernelSize, reader.KernelSize);
                    }
                }
                var inputs = new List<TensorInput>
                {
                    new(LesionRewriter.BaseOutput, y0, yShape),
                    new(LesionRewriter.RemovedInputs, xu, [count, m * r, xShape[2], xShape[3]]),
                    new(LesionRewriter.RemovedWeights, wu, [m * reader.OutChannels, r, reader.KernelShape[2], reader.KernelShape[3]]),
                    TensorInput.Int64(LesionRewriter.StackedShape, [count, m, yShape[1], yShape[2], yShape[3]]),
                    TensorInput.Int64(LesionRewriter.FlatShape, [m * count, yShape[1], yShape[2], yShape[3]]),
                };
                inputs.AddRange(others.Select(t => Tile(t, m, count)));
                inputs.AddRange(masks.Select(name => Ones(name, m * count)));
                Score(suffix.Run(inputs, [rewriter.Output])[0].Data, used, count, start, correct, first);
                progress?.Invoke(used * count);
                first += used;
            }
        }
        return correct;
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
