using Analyzer.Core.Errors;
using Analyzer.Core.Datasets;

namespace Analyzer.Core.Tests.Datasets;

public class JpegSegmentsTests
{
    // SOI; APP0 of length 16 (the length counts its own 2 bytes); SOS of length 8; scan bytes; EOI.
    private static readonly byte[] Wellformed =
    [
        0xFF, 0xD8,
        0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0,
        0x12, 0x34, 0xFF, 0x00, 0x56,
        0xFF, 0xD9,
    ];

    [Fact]
    public void A_wellformed_header_passes_and_other_formats_are_not_looked_at()
    {
        JpegSegments.Check(Wellformed, "ok.jpg");
        JpegSegments.Check("\x89PNG"u8, "x.png");
        JpegSegments.Check([], "empty");
        // Cut inside the scan: left to the decoder, which copes.
        JpegSegments.Check(Wellformed.AsSpan(0, 32), "cut-scan.jpg");
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x01, 0x02, 0x03 }, "segment at byte 2 runs past the end")] // hung the decoder
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 1, 2 }, "segment at byte 2 runs past the end")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF }, "ends at byte 3 before its image data")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0x12, 0x34 }, "no marker at byte 2")]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 }, "ends before its image data")]
    public void A_header_cut_short_is_refused_by_name(byte[] bytes, string reason)
    {
        var e = Assert.Throws<DataFormatException>(() => JpegSegments.Check(bytes, "cut.jpg"));
        Assert.StartsWith("cut.jpg: not a readable image (JPEG", e.Message);
        Assert.Contains(reason, e.Message);
    }
}
