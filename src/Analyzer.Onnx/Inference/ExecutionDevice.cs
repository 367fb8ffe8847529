namespace Analyzer.Onnx.Inference;

/// <summary>Where ONNX Runtime runs a model: the command line's --device.</summary>
public enum ExecutionDevice
{
    /// <summary>CUDA when the CUDA provider loads, else the CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}
