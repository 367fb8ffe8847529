using System.IO.Compression;
using System.Text;

namespace Analyzer.TestSupport;

/// <summary>Builds NumPy .npy arrays (version 1, C order) and .npz files of them, as numpy.savez writes them.</summary>
public static class NpzBytes
{
    /// <summary>An .npy array of dtype <paramref name="descr"/> ('|u1', '&lt;i8', '&lt;f4', ...) over little-endian <paramref name="data"/>.</summary>
    public static byte[] Npy(string descr, int[] shape, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        int padding = (64 - (10 + header.Length + 1) % 64) % 64;
        header += new string(' ', padding) + "\n";
        return [0x93, .. "NUMPY"u8, 1, 0, (byte)header.Length, (byte)(header.Length >> 8), .. Encoding.ASCII.GetBytes(header), .. data];
    }

    /// <summary>A float32 .npy array.</summary>
    public static byte[] Float32(int[] shape, IEnumerable<float> values) => Npy("<f4", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>An int64 .npy array.</summary>
    public static byte[] Int64(int[] shape, IEnumerable<long> values) => Npy("<i8", shape, values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>An .npz holding the named arrays (names end in .npy), in a fresh temporary directory.</summary>
    public static string Npz(params (string Name, byte[] Bytes)[] arrays)
    {
        string path = Path.Combine(TempDirectory.Create(), "data.npz");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, bytes) in arrays)
        {
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(bytes);
        }
        return path;
    }
}
