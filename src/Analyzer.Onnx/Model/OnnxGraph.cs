namespace Analyzer.Onnx.Model;

/// <summary>
/// The main graph of an ONNX model as plain .NET objects: nodes in file order, initializers decoded, real inputs
/// (graph inputs that are not initializers) and outputs. Produced by <see cref="OnnxModelFile"/>; Core reads only this.
/// </summary>
public sealed class OnnxGraph
{
    public OnnxGraph(string path, string sha256, long opsetVersion, IReadOnlyList<OnnxNode> nodes,
        IReadOnlyDictionary<string, OnnxTensor> initializers, IReadOnlyList<OnnxValueInfo> inputs,
        IReadOnlyList<OnnxValueInfo> outputs)
    {
        Path = path;
        Sha256 = sha256;
        OpsetVersion = opsetVersion;
        Nodes = nodes;
        Initializers = initializers;
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <summary>The file as the user named it (used in every message about the model).</summary>
    public string Path { get; }
    public string Sha256 { get; }
    /// <summary>Version of the default ("" or "ai.onnx") operator set.</summary>
    public long OpsetVersion { get; }
    public IReadOnlyList<OnnxNode> Nodes { get; }
    public IReadOnlyDictionary<string, OnnxTensor> Initializers { get; }
    public IReadOnlyList<OnnxValueInfo> Inputs { get; }
    public IReadOnlyList<OnnxValueInfo> Outputs { get; }
}
