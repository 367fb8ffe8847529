namespace Analyzer.Onnx.Model;

/// <summary>
/// The main graph of an ONNX model as plain .NET objects: nodes in file order, initializers decoded, real inputs
/// (graph inputs that are not initializers) and outputs. Produced by <see cref="OnnxModelFile"/>; Core reads only this.
/// </summary>
public sealed class OnnxGraph
{
    /// <param name="sha256">The file's SHA-256 (lower-case hexadecimal), computed when first asked for: a model is hashed
    /// on another core while its graph is read and used.</param>
    public OnnxGraph(string path, Lazy<string> sha256, long opsetVersion, IReadOnlyList<OnnxNode> nodes,
        IReadOnlyDictionary<string, OnnxTensor> initializers, IReadOnlyList<OnnxValueInfo> inputs,
        IReadOnlyList<OnnxValueInfo> outputs)
    {
        Path = path;
        this.sha256 = sha256;
        OpsetVersion = opsetVersion;
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The file as the user named it (used in every message about the model).</summary>
    public string Path { get; }
    public string Sha256 => sha256.Value;
    private readonly Lazy<string> sha256;
    /// <summary>Version of the default ("" or "ai.onnx") operator set.</summary>
    public long OpsetVersion { get; }
    public IReadOnlyList<OnnxNode> Nodes { get; }
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }
}
