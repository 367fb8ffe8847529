namespace Analyzer.Onnx.Inference;

/// <summary>A named float32 input: row-major data and its shape.</summary>
public readonly record struct TensorInput(string Name, float[] Data, long[] Shape);
