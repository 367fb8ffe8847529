using Microsoft.ML.OnnxRuntime;

namespace Analyzer.TestSupport;

/// <summary>A model as ONNX Runtime's own optimiser rewrites it (extended level: its fused com.microsoft operators,
/// FusedMatMul, BiasGelu, FusedGemm, FusedConv, ...), written into a fresh temporary directory: the form of the files
/// production teams ship after optimising them.</summary>
public static class OrtOptimised
{
    public static string Write(string model)
    {
        string path = Path.Combine(TempDirectory.Create(), Path.GetFileNameWithoutExtension(model) + "-ort.onnx");
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_EXTENDED, OptimizedModelFilePath = path };
        using var session = new InferenceSession(model, options);
        return path;
    }
}
