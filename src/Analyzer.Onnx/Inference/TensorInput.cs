namespace Analyzer.Onnx.Inference;

/// <summary>A named input: row-major float32 data and its shape, or int64 data (shape tensors) when
/// <see cref="Int64Data"/> is set, or float64 data (models converted to double precision) when <see cref="Float64Data"/> is.</summary>
public readonly record struct TensorInput(string Name, float[] Data, long[] Shape, long[]? Int64Data = null, double[]? Float64Data = null)
{
    /// <summary>A float64 tensor.</summary>
    public static TensorInput Float64(string name, double[] values, long[] shape) => new(name, [], shape, null, values);

    /// <summary>A one-dimensional int64 tensor (for example a target shape).</summary>
    public static TensorInput Int64(string name, long[] values) => new(name, [], [values.Length], values);
}
