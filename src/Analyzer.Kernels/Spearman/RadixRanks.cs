namespace Analyzer.Kernels.Spearman;

/// <summary>
/// Average ranks by a least-significant-digit radix sort of the values' order-preserving 64-bit patterns (11-bit
/// digits, passes whose digit is the same for every value skipped): a few linear passes instead of a comparison sort,
/// which is what dominated the Spearman kernel. Gives exactly <see cref="RankTransform.AverageRanks"/>'s ranks for
/// finite values; one workspace per thread.
/// </summary>
public sealed class RadixRanks(int capacity)
{
    private const int DigitBits = 11, Buckets = 1 << DigitBits;
    private readonly ulong[] keys = new ulong[capacity], keysSwap = new ulong[capacity];
    private readonly int[] index = new int[capacity], indexSwap = new int[capacity];
    private readonly int[] counts = new int[Buckets];

    /// <summary>Writes the average ranks (1-based) of <paramref name="values"/>; false when every value is equal.</summary>
    public bool AverageRanks(ReadOnlySpan<double> values, Span<double> ranks)
    {
        int n = values.Length;
        for (int i = 0; i < n; i++)
        {
            long bits = BitConverter.DoubleToInt64Bits(values[i] == 0 ? 0.0 : values[i]); // -0 ranks with +0
            keys[i] = bits < 0 ? ~(ulong)bits : (ulong)bits | 0x8000_0000_0000_0000UL;
            index[i] = i;
        }
        ulong[] k = keys, kOut = keysSwap;
        int[] ix = index, ixOut = indexSwap;
        for (int shift = 0; shift < 64; shift += DigitBits)
        {
            Array.Clear(counts);
            for (int i = 0; i < n; i++) counts[(int)(k[i] >> shift) & (Buckets - 1)]++;
            if (counts[(int)(k[0] >> shift) & (Buckets - 1)] == n) continue; // every value has this digit
            int sum = 0;
            for (int b = 0; b < Buckets; b++)
            {
                int c = counts[b];
                counts[b] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++)
            {
                int slot = counts[(int)(k[i] >> shift) & (Buckets - 1)]++;
                kOut[slot] = k[i];
                ixOut[slot] = ix[i];
            }
            (k, kOut) = (kOut, k);
            (ix, ixOut) = (ixOut, ix);
        }
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && k[end] == k[start]) end++;
            double rank = 0.5 * (start + end - 1) + 1;
            for (int j = start; j < end; j++) ranks[ix[j]] = rank;
            start = end;
        }
        return n > 0 && k[0] != k[n - 1];
    }
}
