using Analyzer.Core.Errors;
namespace Analyzer.Core.Datasets;

/// <summary>
/// Checks a JPEG's marker segments up to the start of its scan before it is decoded: the decoder (StbImageSharp) loops
/// forever on a header segment whose length runs past the end of the file (a download cut short), so such a file is
/// refused by name instead. Truncation inside the compressed scan is left to the decoder, which handles it.
/// </summary>
public static class JpegSegments
{
    public static void Check(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.Length < 2 || bytes[0] != 0xFF || bytes[1] != 0xD8) return; // not a JPEG
        int at = 2;
        while (true)
        {
            while (at < bytes.Length && bytes[at] == 0xFF && at + 1 < bytes.Length && bytes[at + 1] == 0xFF) at++; // fill bytes
            if (at + 1 >= bytes.Length)
                throw new DataFormatException($"{file}: not a readable image (JPEG ends at byte {bytes.Length} before its image data)");
            if (bytes[at] != 0xFF)
                throw new DataFormatException($"{file}: not a readable image (JPEG: no marker at byte {at})");
            byte marker = bytes[at + 1];
            if (marker == 0xD9)
                throw new DataFormatException($"{file}: not a readable image (JPEG ends before its image data)");
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) // markers without a length
            {
                at += 2;
                continue;
            }
            if (at + 3 >= bytes.Length)
                throw new DataFormatException($"{file}: not a readable image (JPEG ends inside the segment at byte {at})");
            int length = (bytes[at + 2] << 8) | bytes[at + 3];
            if (length < 2 || at + 2 + length > bytes.Length)
                throw new DataFormatException($"{file}: not a readable image (JPEG segment at byte {at} runs past the end of the file, {bytes.Length} bytes)");
            if (marker == 0xDA) return; // start of scan: the compressed data follows
            at += 2 + length;
        }
    }
}
