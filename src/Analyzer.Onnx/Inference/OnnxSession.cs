using Microsoft.ML.OnnxRuntime;

namespace Analyzer.Onnx.Inference;

/// <summary>
/// The one place Analyzer talks to ONNX Runtime: creates a session on the requested device (falling back to the CPU,
/// once, with a note, when the CUDA provider cannot load), runs float32 inputs to float32 outputs, and turns
/// OnnxRuntimeException into <see cref="InferenceException"/> naming the model. <see cref="Provider"/> records what ran.
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession session;
    private readonly string model;

    static OnnxSession() => NativeHeap.ReturnLargeBlocks();

    /// <summary>Registers the process's shared CPU arena with ONNX Runtime's environment, once; it grows by what is
    /// asked (not to the next power of two).</summary>
    private static readonly Lazy<bool> SharedArena = new(() =>
    {
        using var memory = new OrtMemoryInfo(OrtMemoryInfo.allocatorCPU, OrtAllocatorType.ArenaAllocator, 0, OrtMemType.Default);
        using var arena = new OrtArenaCfg(0, 1, -1, -1);
        OrtEnv.Instance().CreateAndRegisterAllocator(memory, arena);
        return true;
    });

    private OnnxSession(InferenceSession session, string model, string provider)
    {
        this.session = session;
        this.model = model;
        Provider = provider;
    }

    /// <summary>"cpu (CPUExecutionProvider)" or "cuda:0 (CUDAExecutionProvider)".</summary>
    public string Provider { get; }

    public IReadOnlyList<string> InputNames => session.InputNames;

    /// <param name="bytes">The serialized model.</param>
    /// <param name="model">The model's path as messages name it.</param>
    /// <param name="note">Receives a one-line note when the requested device is not available.</param>
    /// <param name="exactGraph">Only basic graph optimisations (constant folding, no operator fusions): for reference
    /// computations, where a fusion's kernel may compute a slightly different function (ONNX Runtime's fused
    /// LayerNormalization differs from the written-out graph in its derivative by about 0.5 % in float64).</param>
    public static OnnxSession Create(byte[] bytes, string model, ExecutionDevice device, int threads = 0, Action<string>? note = null,
        bool exactGraph = false)
    {
        if (device != ExecutionDevice.Cpu)
        {
            try
            {
                var options = Options(threads, exactGraph);
                options.AppendExecutionProvider_CUDA(0);
                return new OnnxSession(new InferenceSession(bytes, options), model, "cuda:0 (CUDAExecutionProvider)");
            }
            catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
            {
                // A CPU-only ONNX Runtime: expected with --device auto, worth a note when CUDA was asked for.
                if (device == ExecutionDevice.Cuda)
                    note?.Invoke("this build of ONNX Runtime has no CUDA provider (build with ./build.sh --gpu); running on the CPU");
            }
            catch (OnnxRuntimeException e)
            {
                note?.Invoke($"CUDA is not available ({FirstLine(e.Message)}); running on the CPU");
            }
        }
        try
        {
            return new OnnxSession(new InferenceSession(bytes, Options(threads, exactGraph)), model, "cpu (CPUExecutionProvider)");
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"{model}: ONNX Runtime cannot load the model: {FirstLine(e.Message)}", e);
        }
    }

    private static SessionOptions Options(int threads, bool exactGraph)
    {
        var options = new SessionOptions { GraphOptimizationLevel = exactGraph ? GraphOptimizationLevel.ORT_ENABLE_BASIC : GraphOptimizationLevel.ORT_ENABLE_ALL };
        // ONNX Runtime's own (multi-line, coloured) log lines never reach the user: its errors arrive as exceptions, which
        // this class turns into one line naming the model.
        options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL;
        if (threads > 0) options.IntraOpNumThreads = threads;
        // One CPU arena for the whole process, shared by every session (docs/design.md, "Memory"). Without an arena each
        // run's tensors were fresh mappings, and touching them cost a page fault per 4 KiB: the CNN's lesion sweep spent
        // 60 of its 90 s in the kernel (30 million faults). A session's own arena grows to its largest run and keeps it,
        // once per session (a sweep holds a prefix and a suffix per node set: 1.5 GB); the shared one holds what the
        // concurrent runs need at once (0.9 GB) and reuses it, 64 s.
        _ = SharedArena.Value;
        options.EnableCpuMemArena = true;
        options.AddSessionConfigEntry("session.use_env_allocators", "1");
        return options;
    }

    /// <summary>Runs the model; returns each requested output's data and shape.</summary>
    public IReadOnlyList<(float[] Data, long[] Shape)> Run(IReadOnlyList<TensorInput> inputs, IReadOnlyList<string> outputs) =>
        Run(inputs, outputs, results => results.Select(r => (r.GetTensorDataAsSpan<float>().ToArray(), r.GetTensorTypeAndShape().Shape)).ToList());

    /// <summary>Runs a float64 model; returns each requested output's data and shape.</summary>
    public IReadOnlyList<(double[] Data, long[] Shape)> RunFloat64(IReadOnlyList<TensorInput> inputs, IReadOnlyList<string> outputs) =>
        Run(inputs, outputs, results => results.Select(r => (r.GetTensorDataAsSpan<double>().ToArray(), r.GetTensorTypeAndShape().Shape)).ToList());

    /// <summary>Hears one output of a run: its data, valid only during the call, and its shape.</summary>
    public delegate void OutputReader(int output, ReadOnlySpan<float> data, long[] shape);

    /// <summary>Runs the model and hands each requested output to <paramref name="read"/> where ONNX Runtime wrote it:
    /// large outputs (captured activation maps) are reduced without a managed copy.</summary>
    public void Run(IReadOnlyList<TensorInput> inputs, IReadOnlyList<string> outputs, OutputReader read) =>
        Run<object?>(inputs, outputs, results =>
        {
            for (int i = 0; i < results.Count; i++)
                read(i, results[i].GetTensorDataAsSpan<float>(), results[i].GetTensorTypeAndShape().Shape);
            return null;
        });

    private T Run<T>(IReadOnlyList<TensorInput> inputs, IReadOnlyList<string> outputs, Func<IReadOnlyList<OrtValue>, T> read)
    {
        var values = new List<OrtValue>(inputs.Count);
        try
        {
            foreach (var input in inputs)
            {
                // ONNX Runtime reads as many elements as the shape says: a shorter buffer would be read past its end.
                long elements = input.Shape.Aggregate(1L, (a, d) => a * d);
                long length = input.Int64Data?.LongLength ?? input.Float64Data?.LongLength ?? input.Data.LongLength;
                if (elements != length)
                    throw new InvalidOperationException($"{model}: input '{input.Name}' has {length} values but shape [{string.Join(", ", input.Shape)}]");
                values.Add(input.Int64Data is { } ints ? OrtValue.CreateTensorValueFromMemory(ints, input.Shape)
                    : input.Float64Data is { } doubles ? OrtValue.CreateTensorValueFromMemory(doubles, input.Shape)
                    : OrtValue.CreateTensorValueFromMemory(input.Data, input.Shape));
            }
            using var runOptions = new RunOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var results = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, outputs.ToArray());
            return read(results);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InferenceException($"{model}: ONNX Runtime failed to run the model: {FirstLine(e.Message)}", e);
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    public void Dispose() => session.Dispose();
}
