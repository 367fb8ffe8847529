namespace Analyzer.TestSupport;

/// <summary>Builds IDX files (unsigned bytes) in memory: magic 0 0 8 rank, big-endian dimensions, data.</summary>
public static class IdxBytes
{
    public static byte[] Of(int[] dims, byte[] data)
    {
        var header = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) header.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        return [.. header, .. data];
    }
}
