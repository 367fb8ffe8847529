namespace Analyzer.Onnx;

/// <summary>Message templates for problems with model files: one line each, file first, then place, then problem.</summary>
internal static class Errors
{
    public static ModelFormatException NotFound(string path) => new($"{path}: file not found");

    public static ModelFormatException NotOnnx(string path, string detail) =>
        new($"{path}: not a readable ONNX model ({detail})");

    public static ModelFormatException NoGraph(string path) => new($"{path}: the model has no graph");

    public static ModelFormatException Tensor(string path, string tensor, string problem) =>
        new($"{path}: tensor '{tensor}': {problem}");

    public static ModelFormatException Node(string path, OnnxNodeRef node, string problem) =>
        new($"{path}: node {node}: {problem}");

    public static ModelFormatException Opset(string path, long version) =>
        new($"{path}: default-domain opset {version} is not supported; expected 7 to 21");
}

/// <summary>How a message names a node: <c>'name' (OpType)</c>.</summary>
internal readonly record struct OnnxNodeRef(string Name, string OpType)
{
    public override string ToString() => $"'{Name}' ({OpType})";
}
