namespace Analyzer.Onnx.Model;

/// <summary>A graph input or output: name, element type and shape; a symbolic or unknown dimension is -1.</summary>
public sealed record OnnxValueInfo(string Name, TensorElementType ElementType, long[]? Shape);
