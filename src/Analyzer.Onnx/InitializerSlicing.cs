using Analyzer.Onnx.Protos;
using Google.Protobuf;

namespace Analyzer.Onnx;

/// <summary>
/// Parses a model whose bytes are in memory without copying its weights: the protobuf parser copies every bytes field,
/// and from a stream it gathers a large one in 4 kB chunks before copying them into place, so a 553 MB VGG-16 peaked
/// near twice its size. Here the wire format is walked once; the raw_data of the graph's initializers (ModelProto.graph
/// = 7, GraphProto.initializer = 5, TensorProto.raw_data = 9) is cut out of a small copy that the stock parser reads,
/// and each initializer's raw_data then wraps its slice of the file's bytes. The model holds the file once.
/// </summary>
internal static class InitializerSlicing
{
    private const int GraphField = 7, InitializerField = 5, RawDataField = 9;
    private const int WireVarint = 0, Wire64 = 1, WireLength = 2, Wire32 = 5;

    /// <summary>The model in <paramref name="file"/>; throws <see cref="InvalidProtocolBufferException"/> (from the stock
    /// parser, which reads a broken file again to say what is wrong with it) when the wire format is broken.</summary>
    public static ModelProto Parse(ReadOnlyMemory<byte> file)
    {
        var slices = new List<(int Offset, int Length)?>();
        var stripped = new MemoryStream();
        ModelProto model;
        try
        {
            Copy(file.Span, 0, file.Length, stripped, Level.Model, slices);
            model = ModelProto.Parser.ParseFrom(stripped.ToArray());
        }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            return ModelProto.Parser.ParseFrom(file.Span);
        }
        var initializers = model.Graph?.Initializer;
        if ((initializers?.Count ?? 0) != slices.Count)
            return ModelProto.Parser.ParseFrom(file.Span); // a layout the walk does not follow (a graph split over several fields)
        for (int i = 0; i < slices.Count; i++)
            if (slices[i] is { } slice)
                initializers![i].RawData = UnsafeByteOperations.UnsafeWrap(file.Slice(slice.Offset, slice.Length));
        return model;
    }

    private enum Level { Model, Graph, Initializer }

    /// <summary>Copies the fields of the message in [start, end) to <paramref name="output"/>, descending into the graph
    /// and its initializers and leaving out (and recording) the initializers' raw_data.</summary>
    private static void Copy(ReadOnlySpan<byte> file, int start, int end, Stream output, Level level, List<(int Offset, int Length)?> slices)
    {
        (int Offset, int Length)? raw = null;
        int position = start;
        while (position < end)
        {
            int fieldStart = position;
            ulong tag = ReadVarint(file, ref position, end);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            switch (wire)
            {
                case WireVarint:
                    ReadVarint(file, ref position, end);
                    break;
                case Wire64:
                    position = Advance(position, 8, end);
                    break;
                case Wire32:
                    position = Advance(position, 4, end);
                    break;
                case WireLength:
                    ulong length = ReadVarint(file, ref position, end);
                    if (length > (ulong)(end - position)) throw new FormatException("a length-delimited field runs past its message");
                    int payload = position, size = (int)length;
                    position += size;
                    bool nested = (level == Level.Model && field == GraphField) || (level == Level.Graph && field == InitializerField);
                    if (nested)
                    {
                        var inner = new MemoryStream();
                        Copy(file, payload, payload + size, inner, level == Level.Model ? Level.Graph : Level.Initializer, slices);
                        WriteVarint(output, tag);
                        WriteVarint(output, (ulong)inner.Length);
                        inner.WriteTo(output);
                        continue;
                    }
                    if (level == Level.Initializer && field == RawDataField)
                    {
                        raw = (payload, size);
                        continue;
                    }
                    break;
                default:
                    throw new FormatException($"wire type {wire} is not one protobuf writes");
            }
            output.Write(file[fieldStart..position]);
        }
        if (level == Level.Initializer) slices.Add(raw);
    }

    private static int Advance(int position, int count, int end) =>
        count <= end - position ? position + count : throw new FormatException("a fixed-size field runs past its message");

    private static ulong ReadVarint(ReadOnlySpan<byte> file, ref int position, int end)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= end) throw new FormatException("a varint runs past its message");
            byte b = file[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new FormatException("a varint is longer than 10 bytes");
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
