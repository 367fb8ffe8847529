using Analyzer.Core.Errors;
using System.Buffers.Binary;
using System.Text;

namespace Analyzer.Core.Datasets;

/// <summary>A NumPy .npy array (version 1-3, C order) of bool, uint8, int8, int16/int32/int64 or float16/float32/float64,
/// read as doubles or bytes.</summary>
public sealed record NpyArray(int[] Shape, string Type, byte[] Data)
{
    public int Count => Shape.Aggregate(1, (a, d) => a * d);

    public static NpyArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new DataFormatException($"{source}: not a .npy array");
        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int offset = major == 1 ? 10 : 12;
        string header = Encoding.Latin1.GetString(bytes, offset, headerLength);
        if (header.Contains("'fortran_order': True"))
            throw new DataFormatException($"{source}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray");
        string descr = Between(header, "'descr':", ",").Trim().Trim('\'');
        string shapeText = Between(header, "'shape': (", ")");
        int[] shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        int size = descr switch
        {
            "|u1" or "|i1" or "|b1" => 1,
            "<i2" or "<f2" => 2,
            "<i4" or "<f4" => 4,
            "<i8" or "<f8" => 8,
            _ => throw new DataFormatException($"{source}: dtype {descr} is not supported; expected bool, uint8, int8, int16, int32, int64, float16, float32 or float64"),
        };
        var data = bytes[(offset + headerLength)..];
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (data.LongLength != count * size)
            throw new DataFormatException($"{source}: shape ({string.Join(", ", shape)}) of {descr} needs {count * size} bytes; the array holds {data.Length}");
        return new NpyArray(shape, descr, data);
    }

    private static string Between(string text, string start, string end)
    {
        int i = text.IndexOf(start, StringComparison.Ordinal);
        if (i < 0) throw new DataFormatException($"npy header lacks {start}");
        i += start.Length;
        int j = text.IndexOf(end, i, StringComparison.Ordinal);
        return text[i..j];
    }

    public bool IsBytes => Type == "|u1";

    public double Value(long i) => Type switch
    {
        "|u1" or "|b1" => Data[i],
        "|i1" => (sbyte)Data[i],
        "<i2" => BinaryPrimitives.ReadInt16LittleEndian(Data.AsSpan((int)(i * 2))),
        "<f2" => (double)BinaryPrimitives.ReadHalfLittleEndian(Data.AsSpan((int)(i * 2))),
        "<i4" => BinaryPrimitives.ReadInt32LittleEndian(Data.AsSpan((int)(i * 4))),
        "<i8" => BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan((int)(i * 8))),
        "<f4" => BinaryPrimitives.ReadSingleLittleEndian(Data.AsSpan((int)(i * 4))),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(Data.AsSpan((int)(i * 8))),
    };
}
