using System.Security.Cryptography;
using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests;

public class HashedReadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(8 << 20)]
    [InlineData((8 << 20) + 1)]
    [InlineData(20_000_003)]
    public void Reads_the_bytes_and_their_SHA256(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        string path = Path.Combine(TempDirectory.Create(), "file.bin");
        File.WriteAllBytes(path, bytes);

        var (read, sha256) = HashedRead.Read(path);

        Assert.Equal(bytes, read);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), sha256.Result);
    }
}
