namespace Analyzer.Onnx.Inference;

/// <summary>A named input: row-major float32 data and its shape, or int64 data (shape tensors) when
/// <see cref="Int64Data"/> is set.</summary>
public readonly record struct TensorInput(string Name, float[] Data, long[] Shape, long[]? Int64Data = null)
{
    /// <summary>A one-dimensional int64 tensor (for example a target shape).</summary>
    public static TensorInput Int64(string name, long[] values) => new(name, [], [values.Length], values);
}
