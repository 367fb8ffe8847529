namespace Analyzer.Onnx.Model;

/// <summary>
/// A decoded ONNX tensor, free of protobuf types. Floating-point tensors (float16/bfloat16/float32/float64) are held as
/// <see cref="Floats"/> in float64; integer and boolean tensors as <see cref="Ints"/>. Row-major, shape <see cref="Shape"/>.
/// </summary>
public sealed class OnnxTensor
{
    public OnnxTensor(string name, long[] shape, TensorElementType elementType, double[]? floats, long[]? ints)
    {
        Name = name;
        Shape = shape;
        ElementType = elementType;
        Floats = floats;
        Ints = ints;
    }

    public string Name { get; }
    public long[] Shape { get; }
    public TensorElementType ElementType { get; }
    public double[]? Floats { get; }
    public long[]? Ints { get; }

    public bool IsFloatingPoint => Floats is not null;
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Values as float64 whatever the element type (integers converted).</summary>
    public double[] AsDoubles() => Floats ?? Ints!.Select(v => (double)v).ToArray();

    /// <summary>Values as int64 whatever the element type (floats truncated).</summary>
    public long[] AsInt64s() => Ints ?? Floats!.Select(v => (long)v).ToArray();

    public static OnnxTensor FromFloats(string name, long[] shape, double[] values) =>
        new(name, shape, TensorElementType.Float, values, null);

    public static OnnxTensor FromInts(string name, long[] shape, long[] values) =>
        new(name, shape, TensorElementType.Int64, null, values);
}
