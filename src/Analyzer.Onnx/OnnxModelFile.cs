using System.Security.Cryptography;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx;

/// <summary>
/// An ONNX model file: reads the protobuf (with external tensor data), exposes the main graph as an
/// <see cref="OnnxGraph"/>, and writes the model back. Unknown protobuf fields survive a read/write round trip.
/// </summary>
public sealed class OnnxModelFile
{
    /// <summary>Operator-set versions of the default domain that Analyzer understands.</summary>
    public const int MinOpset = 7, MaxOpset = 21;

    private OnnxModelFile(string path, ModelProto model, Lazy<string> sha256, IReadOnlyList<(string Input, long[] Dims)> fixedInputs)
    {
        Path = path;
        sha256Value = sha256;
        FixedInputs = fixedInputs;
        if (Rewriting.PostProcessingCut.Find(model) is { } postProcessing)
        {
            PostProcessing = $"node '{postProcessing.Name}' ({postProcessing.OpType})";
            Rewriting.PostProcessingCut.Apply(model, postProcessing);
        }
        if (Rewriting.ContribExpansion.Needed(model))
            ExpandedOperators = Rewriting.ContribExpansion.Apply(model, path);
        if (Rewriting.InputPacking.Needed(model))
            PackedInputs = Rewriting.InputPacking.Apply(model);
        Proto = model;
        Graph = OnnxGraphReader.Read(path, sha256, model);
    }

    /// <summary>The post-processing node the first output came through (an ArgMax, a TopK, non-maximum suppression),
    /// whose input is now the model's output (<see cref="Rewriting.PostProcessingCut"/>); null when there was none.</summary>
    public string? PostProcessing { get; }

    /// <summary>The fused com.microsoft operators replaced by their standard-ONNX equivalents at load, by operator (empty
    /// for a model without them; <see cref="Rewriting.ContribExpansion"/>).</summary>
    public IReadOnlyDictionary<string, int> ExpandedOperators { get; } = new Dictionary<string, int>();

    /// <summary>For a model with several inputs or a non-float one, how its inputs lie in the single float input that
    /// Analyzer feeds (<see cref="Rewriting.InputPacking"/>); null for a model read as it is.</summary>
    public IReadOnlyList<Rewriting.PackedInput>? PackedInputs { get; }

    /// <summary>The inputs whose free sizes were fixed at load (<see cref="InputShapes"/>), with the sizes used.</summary>
    public IReadOnlyList<(string Input, long[] Dims)> FixedInputs { get; }

    public string Path { get; }
    /// <summary>The file's SHA-256, lower-case hexadecimal (waits for the hash started at load).</summary>
    public string Sha256 => sha256Value.Value;
    private readonly Lazy<string> sha256Value;
    public OnnxGraph Graph { get; }
    internal ModelProto Proto { get; }

    private ModelProto? runnable;

    /// <summary>The oldest IR version a rewritten model is written in: the first whose initializers need not be inputs.</summary>
    private const long MinRewrittenIrVersion = 4;
    private int batchLimit;

    /// <summary>
    /// The model every rewrite for ONNX Runtime starts from: the file itself; its float32 form when it is stored in
    /// float16 or bfloat16 (<see cref="Rewriting.Float32Conversion"/>); with Reshape targets that the exporter fixed to
    /// one example repaired (<see cref="Rewriting.BatchRepair"/>). Node indices are the file's.
    /// </summary>
    internal ModelProto Runnable
    {
        get
        {
            if (runnable is not null) return runnable;
            var model = Proto;
            Widened = Rewriting.Float32Conversion.Needed(model);
            if (Widened) model = Rewriting.Float32Conversion.Convert(model);
            if (model.IrVersion < MinRewrittenIrVersion)
            {
                // Before IR version 4 every initializer must also be a graph input; the rewrites add initializers of
                // their own (repaired shapes, masks' indices, gradient constants), so they write IR version 4, which
                // reads the file's graph the same way (docs/method.md §10).
                if (ReferenceEquals(model, Proto)) model = model.Clone();
                model.IrVersion = MinRewrittenIrVersion;
            }
            var plan = Rewriting.BatchRepair.Find(Graph, Shapes.ShapeInference.Infer(Graph));
            if (plan is null)
                batchLimit = 1;
            else if (!plan.Empty)
            {
                if (ReferenceEquals(model, Proto)) model = model.Clone();
                Rewriting.BatchRepair.Apply(model, plan);
                RepairedReshapes = plan.Targets.Count;
            }
            return runnable = model;
        }
    }

    /// <summary>Whether the model is computed in float32 although stored in a narrower type.</summary>
    public bool Widened { get; private set; }

    /// <summary>How many Reshape targets fixed to one example were repaired for batched runs.</summary>
    public int RepairedReshapes { get; private set; }

    /// <summary>The most examples one ONNX Runtime run of this model may hold: 0 for any number; 1 when the model has
    /// shapes fixed to one example that could not be repaired (it then runs example by example).</summary>
    public int BatchLimit
    {
        get
        {
            _ = Runnable;
            return batchLimit;
        }
        internal set => batchLimit = value;
    }

    /// <summary>Reads and decodes a model, with its free input sizes fixed by <paramref name="inputShapes"/>; throws
    /// <see cref="ModelFormatException"/> for anything unusable.</summary>
    public static OnnxModelFile Load(string path, InputShapes? inputShapes = null)
    {
        if (Directory.Exists(path))
            throw Errors.NotOnnx(path, "a directory; give the .onnx file inside it");
        if (!File.Exists(path))
            throw Errors.NotFound(path);
        // The file is mapped, not read (MappedFile), parsed without copying its weights (InitializerSlicing), and hashed
        // on another core meanwhile; the hash is waited for only where it is used (the output files).
        if (new FileInfo(path).Length > Array.MaxLength)
            throw Errors.NotOnnx(path, "larger than 2 GiB, which protobuf cannot hold (models that large keep their weights as external data)");
        var bytes = MappedFile.Map(path);
        var hashing = Task.Run(() => Convert.ToHexStringLower(SHA256.HashData(bytes.Span)));
        var sha256 = new Lazy<string>(() => hashing.Result);
        ModelProto model;
        try
        {
            model = InitializerSlicing.Parse(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Errors.NotOnnx(path, FirstSentence(e.Message));
        }
        if (model.Graph is null || (model.Graph.Node.Count == 0 && model.Graph.Output.Count == 0))
            throw model.IrVersion == 0 ? Errors.NotOnnx(path, "no ir_version and no graph") : Errors.NoGraph(path);
        if (model.IrVersion <= 0)
            throw Errors.NotOnnx(path, "ir_version is missing");
        return new OnnxModelFile(path, model, sha256, inputShapes?.Apply(model, path) ?? []);
    }

    /// <summary>The serialized model, exactly as it would be written (for in-memory inference sessions).</summary>
    public byte[] ToBytes() => Proto.ToByteArray();

    /// <summary>Writes the model (tensors with external data keep pointing at their files).</summary>
    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    private static string FirstSentence(string message)
    {
        int end = message.IndexOfAny(['.', '\n']);
        return (end > 0 ? message[..end] : message).Trim();
    }
}
