namespace Analyzer.Onnx.Inference;

/// <summary>ONNX Runtime refused to load or run a model; the message names the model and what ORT said.</summary>
public sealed class InferenceException(string message, Exception? inner = null) : Exception(message, inner);
