using Analyzer.Core.Files;
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
        AtomicFile.Write(path, stream => WriteCsrTo(stream, rows, cols, indptr, indices, data));
    }

    private static void WriteCsrTo(Stream stream, int rows, int cols, long[] indptr, int[] indices, double[] data)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Entry(zip, "data.npy", "<f8", [data.Length], data.Length, (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, data[i]), 8);
        Entry(zip, "indices.npy", "<i4", [indices.Length], indices.Length, (span, i) => BinaryPrimitives.WriteInt32LittleEndian(span, indices[i]), 4);
        Entry(zip, "indptr.npy", "<i8", [indptr.Length], indptr.Length, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, indptr[i]), 8);
        long[] shape = [rows, cols];
        Entry(zip, "shape.npy", "<i8", [2], 2, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, shape[i]), 8);
        byte[] format = Encoding.ASCII.GetBytes("csr");
        Entry(zip, "format.npy", "|S3", [], 1, (span, _) => format.CopyTo(span), 3);
    }

    /// <summary>
    /// The non-zero entries of a dense row-major matrix as CSR, streamed row by row into the entries: no CSR arrays are
    /// built, so a dense activation graph is written with no memory beyond the matrix.
    /// </summary>
    /// <param name="indptr">The row pointers when already counted (<see cref="RowPointersOfDense"/>).</param>
    public static void WriteDenseAsCsr(string path, double[] matrix, int rows, int cols, long[]? indptr = null)
    {
        if (matrix.LongLength != (long)rows * cols)
            throw new ArgumentException($"{matrix.LongLength} values cannot form a {rows} x {cols} matrix", nameof(matrix));
        indptr ??= RowPointersOfDense(matrix, rows, cols);
        AtomicFile.Write(path, stream => WriteDenseAsCsrTo(stream, matrix, rows, cols, indptr));
    }

    private static void WriteDenseAsCsrTo(Stream stream, double[] matrix, int rows, int cols, long[] indptr)
    {
        long stored = indptr[rows];
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        StreamEntry(zip, "data.npy", "<f8", stored, 8, (output, buffer) =>
        {
            int used = 0;
            foreach (double v in matrix)
            {
                if (v == 0) continue;
                BinaryPrimitives.WriteDoubleLittleEndian(buffer.AsSpan(used), v);
                used += 8;
                if (used == buffer.Length) { output.Write(buffer, 0, used); used = 0; }
            }
            output.Write(buffer, 0, used);
        });
        StreamEntry(zip, "indices.npy", "<i4", stored, 4, (output, buffer) =>
        {
            int used = 0;
            for (int r = 0; r < rows; r++)
            {
                for (long j = 0; j < cols; j++)
                {
                    if (matrix[(long)r * cols + j] == 0) continue;
                    BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), (int)j);
                    used += 4;
                    if (used == buffer.Length) { output.Write(buffer, 0, used); used = 0; }
                }
            }
            output.Write(buffer, 0, used);
        });
        Entry(zip, "indptr.npy", "<i8", [indptr.Length], indptr.Length, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, indptr[i]), 8);
        long[] shape = [rows, cols];
        Entry(zip, "shape.npy", "<i8", [2], 2, (span, i) => BinaryPrimitives.WriteInt64LittleEndian(span, shape[i]), 8);
        byte[] format = Encoding.ASCII.GetBytes("csr");
        Entry(zip, "format.npy", "|S3", [], 1, (span, _) => format.CopyTo(span), 3);
    }

    /// <summary>CSR row pointers of a dense matrix's non-zero entries.</summary>
    public static long[] RowPointersOfDense(double[] matrix, int rows, int cols)
    {
        var indptr = new long[rows + 1];
        for (int r = 0; r < rows; r++)
        {
            long count = 0;
            for (long j = (long)r * cols, end = j + cols; j < end; j++)
                if (matrix[j] != 0) count++;
            indptr[r + 1] = indptr[r] + count;
        }
        return indptr;
    }

    /// <summary>Bytes of the .npz that <see cref="WriteCsr"/> writes for this many rows and stored entries (before
    /// the zip's own few hundred bytes).</summary>
    public static long CsrBytes(int rows, long stored) => 12 * stored + 8L * (rows + 1) + 4 * 128;

    private static void StreamEntry(ZipArchive zip, string name, string descr, long count, int width, Action<Stream, byte[]> write)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var output = entry.Open();
        NpyFile.WriteHeader(output, descr, $"({count},)");
        write(output, new byte[width * 8192]);
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
