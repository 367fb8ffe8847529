using System.Buffers.Binary;
using Analyzer.Onnx.Model;
using Analyzer.Onnx.Protos;

namespace Analyzer.Onnx;

/// <summary>Decodes a TensorProto (typed fields, raw_data little-endian, or external data) into an <see cref="OnnxTensor"/>.</summary>
internal static class TensorDecoder
{
    public static OnnxTensor Decode(string modelPath, TensorProto t)
    {
        var type = (TensorElementType)t.DataType;
        long[] shape = t.Dims.ToArray();
        if (shape.Any(d => d < 0))
            throw Errors.Tensor(modelPath, t.Name, $"negative dimension in shape [{string.Join(", ", shape)}]");
        long count = shape.Aggregate(1L, (a, d) => a * d);
        int width = ElementWidth(type);
        if (count > int.MaxValue || count * width > Array.MaxLength)
            throw Errors.Tensor(modelPath, t.Name, $"{Gigabytes(count * width)} in one tensor; Analyzer reads tensors up to 2 GB (one array each)");
        int n = (int)count;

        ReadOnlyMemory<byte> raw = t.DataLocation == TensorProto.Types.DataLocation.External
            ? ReadExternal(modelPath, t)
            : t.RawData.Memory;

        switch (type)
        {
            case TensorElementType.Float or TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16
                when raw.Length > 0:
            {
                // width: 8, 4 or 2 bytes, as ElementWidth gives for these types
                if (raw.Length != (long)n * width)
                    throw Errors.Tensor(modelPath, t.Name,
                        $"raw data holds {raw.Length} bytes but shape [{string.Join(", ", t.Dims)}] needs {(long)n * width}");
                // Kept as the file's bytes and decoded on demand: a model's weights are not copied at load time.
                return OnnxTensor.FromRaw(t.Name, shape, type, raw);
            }
            case TensorElementType.Float:
                return Floats(t, shape, type, Checked(modelPath, t, t.FloatData.Select(v => (double)v).ToArray(), n));
            case TensorElementType.Double:
                return Floats(t, shape, type, Checked(modelPath, t, t.DoubleData.ToArray(), n));
            case TensorElementType.Float16:
                return Floats(t, shape, type, Checked(modelPath, t, t.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(), n));
            case TensorElementType.BFloat16:
                return Floats(t, shape, type, Checked(modelPath, t, t.Int32Data.Select(v => BFloat16((ushort)v)).ToArray(), n));
            case TensorElementType.Int64:
                return Ints(t, shape, type, raw.Length > 0
                    ? FromRaw(modelPath, t, raw.Span, n, 8, b => BinaryPrimitives.ReadInt64LittleEndian(b))
                    : Checked(modelPath, t, t.Int64Data.ToArray(), n));
            case TensorElementType.Int32:
            case TensorElementType.Int16:
            case TensorElementType.Int8:
            case TensorElementType.UInt16:
            case TensorElementType.UInt8:
            case TensorElementType.Bool:
                int size = type switch
                {
                    TensorElementType.Int32 => 4,
                    TensorElementType.Int16 or TensorElementType.UInt16 => 2,
                    _ => 1,
                };
                return Ints(t, shape, type, raw.Length > 0
                    ? FromRaw(modelPath, t, raw.Span, n, size, b => ReadSmallInt(type, b))
                    : Checked(modelPath, t, t.Int32Data.Select(v => (long)v).ToArray(), n));
            case TensorElementType.UInt32:
            case TensorElementType.UInt64:
                return Ints(t, shape, type, raw.Length > 0
                    ? FromRaw(modelPath, t, raw.Span, n, type == TensorElementType.UInt32 ? 4 : 8,
                        b => type == TensorElementType.UInt32 ? BinaryPrimitives.ReadUInt32LittleEndian(b) : (long)BinaryPrimitives.ReadUInt64LittleEndian(b))
                    : Checked(modelPath, t, t.Uint64Data.Select(v => (long)v).ToArray(), n));
            default:
                throw Errors.Tensor(modelPath, t.Name, $"element type {t.DataType} ({type}) is not supported; expected a numeric type");
        }
    }

    private static OnnxTensor Floats(TensorProto t, long[] shape, TensorElementType type, double[] values) =>
        new(t.Name, shape, type, values, null);

    private static OnnxTensor Ints(TensorProto t, long[] shape, TensorElementType type, long[] values) =>
        new(t.Name, shape, type, null, values);

    private static double BFloat16(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    private static long ReadSmallInt(TensorElementType type, ReadOnlySpan<byte> b) => type switch
    {
        TensorElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(b),
        TensorElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(b),
        TensorElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        TensorElementType.Int8 => (sbyte)b[0],
        _ => b[0],
    };

    private delegate T Reader<out T>(ReadOnlySpan<byte> bytes);

    private static T[] FromRaw<T>(string modelPath, TensorProto t, ReadOnlySpan<byte> raw, int n, int size, Reader<T> read)
    {
        if (raw.Length != (long)n * size)
            throw Errors.Tensor(modelPath, t.Name,
                $"raw data holds {raw.Length} bytes but shape [{string.Join(", ", t.Dims)}] needs {(long)n * size}");
        var values = new T[n];
        for (int i = 0; i < n; i++)
            values[i] = read(raw.Slice(i * size, size));
        return values;
    }

    /// <summary>Bytes per element of the types a model's tensors hold (1 for the byte-sized and unknown ones).</summary>
    private static int ElementWidth(TensorElementType type) => type switch
    {
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 => 8,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Float16 or TensorElementType.BFloat16 or TensorElementType.Int16 or TensorElementType.UInt16 => 2,
        _ => 1,
    };

    private static string Gigabytes(long bytes) => (bytes / 1e9).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " GB";

    private static T[] Checked<T>(string modelPath, TensorProto t, T[] values, int n)
    {
        if (values.Length != n)
            throw Errors.Tensor(modelPath, t.Name,
                $"holds {values.Length} values but shape [{string.Join(", ", t.Dims)}] needs {n}");
        return values;
    }

    private static byte[] ReadExternal(string modelPath, TensorProto t)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in t.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset": offset = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
                case "length": length = long.Parse(entry.Value, System.Globalization.CultureInfo.InvariantCulture); break;
            }
        }
        if (location is null)
            throw Errors.Tensor(modelPath, t.Name, "external data has no location");
        string dir = System.IO.Path.GetDirectoryName(modelPath) ?? ".";
        string file = System.IO.Path.Combine(dir, location);
        if (!File.Exists(file))
            throw Errors.Tensor(modelPath, t.Name, $"external data file '{location}' not found next to the model");
        using var stream = File.OpenRead(file);
        if (length < 0)
            length = stream.Length - offset;
        if (offset < 0 || offset + length > stream.Length)
            throw Errors.Tensor(modelPath, t.Name, $"external data range {offset}+{length} lies outside '{location}' ({stream.Length} bytes)");
        if (length > Array.MaxLength)
            throw Errors.Tensor(modelPath, t.Name, $"{Gigabytes(length)} of external data in one tensor; Analyzer reads tensors up to 2 GB (one array each)");
        var buffer = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }
}
