using Analyzer.Onnx.Operators;
using Analyzer.Core.Networks;
using Analyzer.Core.Activations;
using Analyzer.Core.Datasets;
using Analyzer.Kernels;
using Analyzer.Kernels.Visualisation;
using Analyzer.Onnx;
using Analyzer.Onnx.Gradients;
using Analyzer.Onnx.Inference;
using Analyzer.Onnx.Rewriting;

namespace Analyzer.Core.Visualisation;

/// <summary>
/// Feature visualisation (docs/method.md §6): for each objective, an image parameterised as σ(p) in the pixel domain is
/// randomly transformed, preprocessed as the model expects, and moved uphill by Adam along the input gradient that
/// ONNX Runtime computes from the generated backward graph (<see cref="InputGradientGraph"/>). Many images are
/// optimised together, one batch row each; every image's noise and transforms come from its own seed.
/// </summary>
public sealed class FeatureVisualizer : IDisposable
{
    private readonly ModelNetwork network;
    private readonly OnnxModelFile file;
    private readonly Preprocessing preprocessing;
    private readonly VisualisationOptions options;
    private readonly Action<string>? note;
    private readonly IImageWarpKernel warpKernel;
    private readonly IPixelAscentKernel ascentKernel;
    private readonly Dictionary<string, OnnxSession[]> gradientSessions = [];
    private readonly Dictionary<string, int> pointAxis;
    private readonly int batchLimit;
    private readonly string input, output;
    private readonly int channels, height, width;
    private readonly bool image;
    private readonly bool outputIsSoftmax;
    private readonly OnnxSession forward;
    private readonly bool onCpu;

    public FeatureVisualizer(ModelNetwork network, Preprocessing preprocessing, VisualisationOptions options, Action<string>? note = null)
    {
        this.network = network;
        this.preprocessing = preprocessing;
        this.options = options;
        this.note = note;
        file = network.File;
        input = network.Graph.Inputs[0].Name;
        output = network.Graph.Outputs[0].Name;
        outputIsSoftmax = network.Graph.Nodes.Any(n => OperatorRegistry.Find(n.OpType)?.Traits is { Probabilities: true, Reach: ActivationReach.Distribution }
            && n.Outputs.Contains(output));
        long[] shape = network.Shapes.ShapeOf(input);
        image = shape.Length == 4;
        (channels, height, width) = image ? ((int)shape[1], (int)shape[2], (int)shape[3]) : (1, 1, (int)shape.Skip(1).Aggregate(1L, (a, d) => a * d));
        // Every gradient graph is checked now (cheaply, without building it), so that an operator that cannot be
        // differentiated fails before any work; each is built when its point comes.
        pointAxis = PreActivationPoints.Find(network).GroupBy(p => p.Tensor).ToDictionary(g => g.Key, g => g.First().UnitAxis);
        var points = pointAxis.Keys.ToList();
        if (InputGradientGraph.Check(file, network.Shapes, points) is { } reason)
            throw new ModelFormatException($"{network.Path}: {reason}");
        // The evaluation session says where ONNX Runtime really runs (auto falls back to the CPU without CUDA).
        var tensors = points.Append(output).ToList();
        network.NotePrecision(note);
        batchLimit = network.BatchLimit(note);
        forward = OnnxSession.Create(ExtraOutputs.Add(file, tensors).Bytes, network.Path, options.Device, options.Threads, note);
        onCpu = forward.Provider.StartsWith("cpu", StringComparison.Ordinal);
        if (!onCpu && IlgpuDevice.CudaAvailable())
        {
            warpKernel = new ImageWarpIlgpuKernel(IlgpuTarget.Cuda);
            ascentKernel = new PixelAscentIlgpuKernel(IlgpuTarget.Cuda);
        }
        else
        {
            warpKernel = new ImageWarpCpuKernel();
            ascentKernel = new PixelAscentCpuKernel();
        }
    }

    /// <summary>Null when every pre-activation of the model can be visualised; otherwise why not (one line, naming
    /// the node and the operator).</summary>
    public static string? Unsupported(ModelNetwork network) => Unsupported(network, network.File);

    /// <inheritdoc cref="Unsupported(ModelNetwork)"/>
    public static string? Unsupported(ModelNetwork network, OnnxModelFile file)
    {
        try
        {
            var targets = PreActivationPoints.Find(network).Select(p => p.Tensor).Distinct().ToList();
            return InputGradientGraph.Check(file, network.Shapes, targets);
        }
        catch (ModelFormatException e)
        {
            string prefix = $"{network.Path}: ";
            return e.Message.StartsWith(prefix, StringComparison.Ordinal) ? e.Message[prefix.Length..] : e.Message;
        }
    }

    /// <summary>What ONNX Runtime runs on.</summary>
    public string Provider => forward.Provider;

    /// <summary>Concurrent ONNX Runtime runs per step, each on a share of the batch (one per core on the CPU).</summary>
    private int Streams => options.ConcurrentRuns > 0 ? options.ConcurrentRuns : onCpu ? Parallelism.MaxThreads : 1;

    /// <summary>ONNX Runtime threads per run: the threads asked for shared among the streams (as the lesion engine's).</summary>
    private int SessionThreads => Parallelism.PerStream(options.Threads, Streams);

    /// <summary>Images per ONNX Runtime run, from the memory budget.</summary>
    public int BatchRows
    {
        get
        {
            if (batchLimit == 1) return 1;
            long perRow = 3 * 4 * network.Shapes.Shapes.Where(s => !network.Shapes.IsConstant(s.Key))
                .Sum(s => s.Value.Aggregate(1L, (a, d) => a * Math.Max(1, d)));
            return (int)Math.Clamp(options.MemoryBudget.Bytes / Math.Max(1, perRow), 1, options.MaxBatch);
        }
    }

    /// <summary>Optimises every objective; results in the objectives' order.</summary>
    /// <param name="progress">Receives the number of image-steps done since the last call (total: objectives × steps).</param>
    /// <param name="steps">Adam steps instead of the options' (a plan times a few).</param>
    public IReadOnlyList<VisualisationResult> Run(IReadOnlyList<VisualisationObjective> objectives, Action<int>? progress = null, int? steps = null)
    {
        int stepCount = steps ?? options.Steps;
        var results = new VisualisationResult[objectives.Count];
        int rows = BatchRows;
        foreach (var group in objectives.Select((o, i) => (o, i)).GroupBy(p => p.o.Point.Tensor))
        {
            var members = group.ToList();
            for (int start = 0; start < members.Count; start += rows)
            {
                var batch = members.Skip(start).Take(rows).ToList();
                var images = Optimise(batch.Select(b => b.o).ToList(), stepCount, progress);
                var evaluated = Evaluate(batch.Select(b => b.o).ToList(), images);
                for (int r = 0; r < batch.Count; r++) results[batch[r].i] = evaluated[r];
            }
        }
        return results;
    }

    /// <summary>The sessions of one point's gradient graph, one per stream. Only the current point's are kept: each
    /// holds ONNX Runtime's memory arena at its peak, and the points are visited one after the other.</summary>
    private OnnxSession[] GradientSessions(string tensor)
    {
        if (!gradientSessions.TryGetValue(tensor, out var sessions))
        {
            foreach (var session in gradientSessions.Values.SelectMany(s => s)) session.Dispose();
            gradientSessions.Clear();
            byte[] model = InputGradientGraph.Build(file, network.Shapes, [tensor], withObjective: false, [pointAxis.GetValueOrDefault(tensor, 1)]).Bytes;
            sessions = Enumerable.Range(0, Streams)
                .Select(_ => OnnxSession.Create(model, network.Path, options.Device, SessionThreads, note)).ToArray();
            gradientSessions[tensor] = sessions;
        }
        return sessions;
    }

    /// <returns>The final pixel images, [rows, channels, height, width].</returns>
    /// <remarks>The rows are shared out over the streams; each stream runs all its steps on its own (its session,
    /// single-threaded kernels), so the cores never wait for each other between steps.</remarks>
    private float[] Optimise(IReadOnlyList<VisualisationObjective> batch, int steps, Action<int>? progress)
    {
        int n = batch.Count, size = channels * height * width;
        var sessions = GradientSessions(batch[0].Point.Tensor);
        var pixels = new float[n * size];
        int parts = Math.Min(sessions.Length, n);
        var gate = new object();
        Action<int>? report = progress is null ? null : done => { lock (gate) progress(done); };
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, part =>
        {
            int first = (int)((long)n * part / parts), last = (int)((long)n * (part + 1) / parts);
            var rows = batch.Skip(first).Take(last - first).ToList();
            var (warp, ascent) = parts > 1 ? (new ImageWarpCpuKernel(threads: 1), new PixelAscentCpuKernel(threads: 1)) : (warpKernel, ascentKernel);
            OptimiseRows(rows, steps, sessions[part], warp, ascent, report).CopyTo(pixels, first * size);
        });
        return pixels;
    }

    private float[] OptimiseRows(IReadOnlyList<VisualisationObjective> rows, int steps, OnnxSession session, IImageWarpKernel warpKernel,
        IPixelAscentKernel ascentKernel, Action<int>? progress)
    {
        int n = rows.Count, size = channels * height * width;
        int units = rows[0].Point.NodeSet.Units;
        var shape = new ImageBatchShape(n, channels, height, width);
        var parameters = new float[n * size];
        var (m, v, pixels) = (new float[n * size], new float[n * size], new float[n * size]);
        var (warped, modelInput, sourceGradient) = (new float[n * size], new float[n * size], new float[n * size]);
        bool transformed = image && options.Transforms;
        var schedules = rows.Select(o => new VisualisationSchedule(o.Seed, height, width, transformed)).ToArray();
        for (int r = 0; r < n; r++) schedules[r].InitialParameters(parameters.AsSpan(r * size, size));
        for (int k = 0; k < n * size; k++) pixels[k] = 1 / (1 + MathF.Exp(-parameters[k]));
        var mask = new float[n * units];
        for (int r = 0; r < n; r++)
            foreach (int u in rows[r].Units) mask[r * units + u] = 1;
        var (gain, offset) = ChannelAffine();
        long[] inputShape = image ? [n, channels, height, width] : [n, .. network.Shapes.ShapeOf(input)[1..]];
        var warps = new AffineWarp[n];
        var settings = new AdamSettings(options.LearningRate);
        for (int step = 1; step <= steps; step++)
        {
            for (int r = 0; r < n; r++) warps[r] = schedules[r].NextWarp();
            if (transformed) warpKernel.Warp(pixels, warped, shape, warps);
            else pixels.CopyTo(warped, 0);
            Preprocess(warped, modelInput, gain, offset);
            var pixelGradient = session.Run([new TensorInput(input, modelInput, inputShape), new TensorInput(InputGradientGraph.MaskInput(0), mask, [n, units])],
                [InputGradientGraph.GradientOutput])[0].Data;
            ScaleChannels(pixelGradient, gain, null);
            if (transformed) warpKernel.WarpAdjoint(pixelGradient, sourceGradient, shape, warps);
            else pixelGradient.CopyTo(sourceGradient, 0);
            ascentKernel.Step(parameters, m, v, sourceGradient, pixels, step, settings);
            progress?.Invoke(n);
        }
        return pixels;
    }

    /// <summary>model input = gain[c] · pixel + offset[c], from x = (255 · pixel · scale - mean) / std.</summary>
    private (float[] Gain, float[] Offset) ChannelAffine()
    {
        var gain = new float[channels];
        var offset = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double std = preprocessing.StdFor(c, channels), mean = preprocessing.MeanFor(c, channels);
            gain[c] = (float)(255 * preprocessing.Scale / std);
            offset[c] = (float)(-mean / std);
        }
        return (gain, offset);
    }

    private void Preprocess(float[] pixels, float[] destination, float[] gain, float[] offset)
    {
        pixels.CopyTo(destination, 0);
        ScaleChannels(destination, gain, offset);
    }

    /// <summary>values = gain[c] · values (+ offset[c]) plane by plane.</summary>
    private void ScaleChannels(float[] values, float[] gain, float[]? offset)
    {
        int plane = height * width;
        for (int start = 0, c = 0; start < values.Length; start += plane, c = (c + 1) % channels)
        {
            var span = values.AsSpan(start, plane);
            System.Numerics.Tensors.TensorPrimitives.Multiply(span, gain[c], span);
            if (offset is not null) System.Numerics.Tensors.TensorPrimitives.Add(span, offset[c], span);
        }
    }

    /// <summary>vis-score and softmax entropy of the final images, without transforms.</summary>
    private VisualisationResult[] Evaluate(IReadOnlyList<VisualisationObjective> batch, float[] pixels)
    {
        int n = batch.Count, size = channels * height * width;
        var (gain, offset) = ChannelAffine();
        var modelInput = new float[pixels.Length];
        Preprocess(pixels, modelInput, gain, offset);
        long[] inputShape = image ? [n, channels, height, width] : [n, .. network.Shapes.ShapeOf(input)[1..]];
        string tensor = batch[0].Point.Tensor;
        var outputs = forward.Run([new TensorInput(input, modelInput, inputShape)], [tensor, output]);
        var (values, shape) = outputs[0];
        var logits = outputs[1].Data;
        int axis = batch[0].Point.UnitAxis;
        // Element (row, outer, unit, inner) of the point's tensor, with the units on `axis`.
        int units = (int)shape[axis], outer = (int)shape[1..axis].Aggregate(1L, (a, d) => a * d);
        int inner = (int)shape[(axis + 1)..].Aggregate(1L, (a, d) => a * d), classes = logits.Length / n;
        var results = new VisualisationResult[n];
        for (int r = 0; r < n; r++)
        {
            double score = 0;
            foreach (int u in batch[r].Units)
                for (int o = 0; o < outer; o++)
                    for (int s = 0; s < inner; s++) score += Math.Abs(values[(((long)r * outer + o) * units + u) * inner + s]);
            results[r] = new VisualisationResult(batch[r].Id, pixels.AsSpan(r * size, size).ToArray(), channels, height, width,
                score, SoftmaxEntropy(logits.AsSpan(r * classes, classes), outputIsSoftmax));
        }
        return results;
    }

    /// <summary>H = -Σ p ln p of softmax(logits) (or of the values themselves when the model ends in a Softmax), from
    /// the log-softmax in float64: H = Σ p_i (lse - l_i) with lse - max = log1p(Σ_{i≠top} e^(l_i - max)), so an output
    /// driven to one-hot keeps its tiny entropy instead of rounding 1 - ε to 1 (docs/method.md §6).</summary>
    public static double SoftmaxEntropy(ReadOnlySpan<float> logits, bool probabilities = false)
    {
        double entropy = 0;
        if (probabilities)
        {
            foreach (float q in logits)
                if (q > 0) entropy -= q * Math.Log(q);
            return entropy;
        }
        int top = 0;
        for (int i = 1; i < logits.Length; i++)
            if (logits[i] > logits[top]) top = i;
        double max = logits[top], rest = 0;
        for (int i = 0; i < logits.Length; i++)
            if (i != top) rest += Math.Exp(logits[i] - max);
        double lseMinusMax = LogOnePlus(rest);
        entropy = lseMinusMax; // the top class: e^0 (lse - max)
        for (int i = 0; i < logits.Length; i++)
            if (i != top) entropy += Math.Exp(logits[i] - max) * (lseMinusMax + max - logits[i]);
        return entropy / (1 + rest);
    }

    /// <summary>ln(1 + x) accurate for tiny x (Goldberg's correction; .NET's LogP1 is ln(x + 1) as written).</summary>
    private static double LogOnePlus(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    public void Dispose()
    {
        foreach (var session in gradientSessions.Values.SelectMany(s => s)) session.Dispose();
        forward.Dispose();
        (warpKernel as IDisposable)?.Dispose();
        (ascentKernel as IDisposable)?.Dispose();
    }
}
