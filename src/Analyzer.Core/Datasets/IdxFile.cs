using Analyzer.Core.Errors;
using System.Buffers.Binary;
using System.IO.Compression;

namespace Analyzer.Core.Datasets;

/// <summary>
/// IDX files (LeCun's MNIST format), gzipped or not: a magic number 0x00 0x00 type rank, big-endian int32 dimensions,
/// then the data. Only unsigned bytes (type 0x08) are read, which is what image and label files use.
/// </summary>
public static class IdxFile
{
    public sealed record Content(int[] Dimensions, byte[] Data);

    public static Content Read(string path)
    {
        if (!File.Exists(path))
            throw new DataFormatException($"{path}: file not found");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var input = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                using var output = new MemoryStream();
                input.CopyTo(output);
                bytes = output.ToArray();
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: corrupt gzip data ({e.Message})");
        }
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new DataFormatException($"{path}: not an IDX file (bad magic number)");
        if (bytes[2] != 0x08)
            throw new DataFormatException($"{path}: IDX element type 0x{bytes[2]:x2} is not supported; expected unsigned bytes (0x08)");
        int rank = bytes[3];
        if (rank < 1 || bytes.Length < 4 + 4 * rank)
            throw new DataFormatException($"{path}: truncated IDX header");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] < 0) throw new DataFormatException($"{path}: negative IDX dimension {dims[i]}");
            count *= dims[i];
        }
        int offset = 4 + 4 * rank;
        if (bytes.Length - offset != count)
            throw new DataFormatException($"{path}: IDX header promises {count} values of shape [{string.Join(", ", dims)}] but the file holds {bytes.Length - offset}");
        return new Content(dims, bytes[offset..]);
    }
}
