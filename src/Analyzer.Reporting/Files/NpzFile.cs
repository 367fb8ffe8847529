using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Analyzer.Reporting.Files;

/// <summary>
/// A sparse matrix as scipy.sparse.save_npz writes it: a zip of .npy arrays data (float64), indices (int32), indptr
/// (int64), shape (int64) and format ('csr'), which scipy.sparse.load_npz reads back.
/// </summary>
public static class NpzFile
{
    /// <param name="indptr">Row pointers, rows + 1 of them.</param>
    /// <param name="indices">Column of every stored entry, ascending within each row.</param>
    public static void WriteCsr(string path, int rows, int cols, long[] indptr, int[] indices, double[] data)
    {
        if (indptr.Length != rows + 1 || indices.Length != data.Length || indptr[^1] != data.Length)
            throw new ArgumentException("inconsistent CSR arrays", nameof(indptr));
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create);
        Entry(zip, "data.npy", "<f8", [data.Length], data.Length, (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, data[i]), 8);
        Entry(zip, "indices.npy", "<i4", [indices.Length], indices.Length, (span, i) => BinaryPrimitives.WriteInt32LittleEndian(span, indices[i]), 4);
        Entry(zip, "indptr.npy", "<i8", [indptr.Length], indptr.Length, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, indptr[i]), 8);
        long[] shape = [rows, cols];
        Entry(zip, "shape.npy", "<i8", [2], 2, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, shape[i]), 8);
        byte[] format = Encoding.ASCII.GetBytes("csr");
        Entry(zip, "format.npy", "|S3", [], 1, (span, _) => format.CopyTo(span), 3);
    }

    private static void Entry(ZipArchive zip, string name, string descr, long[] shape, long count, SpanAction write, int width)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var output = entry.Open();
        string dims = shape.Length switch { 0 => "()", 1 => $"({shape[0]},)", _ => $"({string.Join(", ", shape)})" };
        NpyFile.WriteHeader(output, descr, dims);
        var buffer = new byte[width * 4096];
        for (long start = 0; start < count; start += 4096)
        {
            int n = (int)Math.Min(4096, count - start);
            for (int i = 0; i < n; i++) write(buffer.AsSpan(width * i, width), start + i);
            output.Write(buffer, 0, width * n);
        }
    }

    private delegate void SpanAction(Span<byte> destination, long index);
}
