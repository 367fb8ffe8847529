using Analyzer.Core.Files;
using System.Buffers.Binary;
using System.Text;

namespace Analyzer.Reporting.Files;

/// <summary>
/// NumPy .npy files (format version 1.0) holding a C-ordered little-endian float64 matrix, as numpy.load reads them.
/// </summary>
public static class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static void WriteMatrix(string path, double[] values, int rows, int cols)
    {
        if (values.Length != (long)rows * cols)
            throw new ArgumentException($"{values.Length} values cannot form a {rows} x {cols} matrix", nameof(values));
        AtomicFile.Write(path, stream => WriteMatrixTo(stream, values, rows, cols));
    }

    /// <summary>Writes a matrix too large to hold a band of <paramref name="bandRows"/> rows at a time:
    /// <paramref name="fill"/>(start, count, band) puts rows [start, start + count) into band [count x cols].</summary>
    public static void WriteMatrix(string path, int rows, int cols, int bandRows, Action<int, int, double[]> fill)
    {
        AtomicFile.Write(path, stream =>
        {
            WriteHeader(stream, "<f8", $"({rows}, {cols})");
            var band = new double[(long)bandRows * cols];
            var buffer = new byte[8 * 4096];
            for (int start = 0; start < rows; start += bandRows)
            {
                int count = Math.Min(bandRows, rows - start);
                fill(start, count, band);
                WriteValues(stream, band.AsSpan(0, (int)((long)count * cols)), buffer);
            }
        });
    }

    private static void WriteValues(Stream stream, ReadOnlySpan<double> values, byte[] buffer)
    {
        for (int start = 0; start < values.Length; start += 4096)
        {
            int count = Math.Min(4096, values.Length - start);
            for (int i = 0; i < count; i++)
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(8 * i), values[start + i]);
            stream.Write(buffer, 0, 8 * count);
        }
    }

    private static void WriteMatrixTo(Stream stream, double[] values, int rows, int cols)
    {
        WriteHeader(stream, "<f8", $"({rows}, {cols})");
        WriteValues(stream, values, new byte[8 * 4096]);
    }

    /// <summary>The magic, version 1.0 and the header dictionary, padded to a multiple of 64 bytes.</summary>
    internal static void WriteHeader(Stream stream, string descr, string shape)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = Magic.Length + 4 + header.Length + 1;
        int padding = (64 - total % 64) % 64;
        header = header + new string(' ', padding) + "\n";
        stream.Write(Magic);
        stream.Write([1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        stream.Write(length);
        stream.Write(Encoding.ASCII.GetBytes(header));
    }

    /// <summary>Reads a matrix written by <see cref="WriteMatrix(string, double[], int, int)"/> (float64, C order, 2-D).</summary>
    public static (double[] Values, int Rows, int Cols) ReadMatrix(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || !bytes.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file");
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        if (!header.Contains("'<f8'") || header.Contains("'fortran_order': True"))
            throw new InvalidDataException($"{path}: expected a C-ordered float64 array; header {header.Trim()}");
        int open = header.IndexOf("'shape': (", StringComparison.Ordinal) + 10;
        var dims = header[open..header.IndexOf(')', open)].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        if (dims.Length != 2)
            throw new InvalidDataException($"{path}: expected a 2-D array; shape ({string.Join(", ", dims)})");
        int offset = 10 + headerLength;
        var values = new double[dims[0] * dims[1]];
        for (int i = 0; i < values.Length; i++)
            values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(offset + 8 * i));
        return (values, dims[0], dims[1]);
    }
}
