using System.Buffers.Binary;

namespace Analyzer.Onnx.Model;

/// <summary>
/// A decoded ONNX tensor, free of protobuf types. Floating-point tensors (float16/bfloat16/float32/float64) expose
/// <see cref="Floats"/> in float64, integer and boolean tensors <see cref="Ints"/>; row-major, shape <see cref="Shape"/>.
/// A tensor read from a file keeps its raw little-endian bytes (shared with the parsed file, not copied) and decodes
/// <see cref="Floats"/> only when first asked, so that loading a model costs about its file size; large weights are
/// read in their own precision through <see cref="ReadSingles"/> without a float64 copy.
/// </summary>
public sealed class OnnxTensor
{
    private readonly ReadOnlyMemory<byte> raw;
    private readonly double? fill;
    private double[]? floats;

    public OnnxTensor(string name, long[] shape, TensorElementType elementType, double[]? floats, long[]? ints)
    {
        Name = name;
        Shape = shape;
        ElementType = elementType;
        this.floats = floats;
        Ints = ints;
        IsFloatingPoint = floats is not null;
    }

    private OnnxTensor(string name, long[] shape, TensorElementType elementType, ReadOnlyMemory<byte> raw)
    {
        Name = name;
        Shape = shape;
        ElementType = elementType;
        this.raw = raw;
        IsFloatingPoint = true;
    }

    private OnnxTensor(string name, long[] shape, double fill)
    {
        Name = name;
        Shape = shape;
        ElementType = TensorElementType.Float;
        this.fill = fill;
        IsFloatingPoint = true;
    }

    /// <summary>A float32 tensor whose every element is <paramref name="value"/> (ConstantOfShape), held as one number.</summary>
    public static OnnxTensor Filled(string name, long[] shape, double value) => new(name, shape, value);

    /// <summary>A floating-point tensor backed by raw little-endian bytes of <paramref name="elementType"/>, decoded on
    /// demand; the caller has checked that the length fits the shape.</summary>
    internal static OnnxTensor FromRaw(string name, long[] shape, TensorElementType elementType, ReadOnlyMemory<byte> raw) =>
        new(name, shape, elementType, raw);

    public string Name { get; }
    public long[] Shape { get; }
    public TensorElementType ElementType { get; }
    public long[]? Ints { get; }

    public bool IsFloatingPoint { get; }
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>Float64 values of a floating-point tensor (decoded and kept on first use), null for integer tensors.
    /// Meant for small tensors (BatchNorm parameters, shape arithmetic); read large weights with
    /// <see cref="ReadSingles"/>.</summary>
    public double[]? Floats
    {
        get
        {
            if (!IsFloatingPoint) return null;
            if (floats is null && fill is { } constant)
                floats = Enumerable.Repeat(constant, checked((int)ElementCount)).ToArray();
            if (floats is null)
            {
                var values = new double[ElementCount];
                var span = raw.Span;
                for (int i = 0; i < values.Length; i++) values[i] = Element(span, i);
                floats = values;
            }
            return floats;
        }
    }

    /// <summary>Values as float64 whatever the element type (integers converted).</summary>
    public double[] AsDoubles() => Floats ?? Ints!.Select(v => (double)v).ToArray();

    /// <summary>Values as int64 whatever the element type (floats truncated).</summary>
    public long[] AsInt64s() => Ints ?? Floats!.Select(v => (long)v).ToArray();

    /// <summary>Elements [<paramref name="start"/>, start + destination.Length) as float32, without keeping a copy.</summary>
    public void ReadSingles(long start, Span<float> destination)
    {
        if (floats is null && fill is { } constant)
        {
            destination.Fill((float)constant);
            return;
        }
        if (floats is not null || !IsFloatingPoint)
        {
            var values = AsDoubles();
            for (int i = 0; i < destination.Length; i++) destination[i] = (float)values[start + i];
            return;
        }
        var span = raw.Span;
        if (ElementType == TensorElementType.Float)
        {
            var bytes = span.Slice(checked((int)(start * 4)), destination.Length * 4);
            if (BitConverter.IsLittleEndian)
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
            else
                for (int i = 0; i < destination.Length; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
            return;
        }
        for (int i = 0; i < destination.Length; i++) destination[i] = (float)Element(span, start + i);
    }

    private double Element(ReadOnlySpan<byte> span, long i) => ElementType switch
    {
        TensorElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(span[checked((int)(4 * i))..]),
        TensorElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian(span[checked((int)(8 * i))..]),
        TensorElementType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(span[checked((int)(2 * i))..]),
        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(span[checked((int)(2 * i))..]) << 16),
    };

    public static OnnxTensor FromFloats(string name, long[] shape, double[] values) =>
        new(name, shape, TensorElementType.Float, values, null);

    public static OnnxTensor FromInts(string name, long[] shape, long[] values) =>
        new(name, shape, TensorElementType.Int64, null, values);
}
