using Analyzer.Onnx.Protos;
using Analyzer.TestSupport;
using Google.Protobuf;

namespace Analyzer.Onnx.Tests;

public class InitializerSlicingTests
{
    public static TheoryData<string> Models() =>
    [
        .. Directory.GetFiles(RepositoryFiles.Models, "*.onnx").Order(),
        .. Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "tests", "models"), "*.onnx").Order(),
    ];

    [Theory]
    [MemberData(nameof(Models))]
    public void Gives_the_stock_parsers_model_with_the_weights_left_in_the_file(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        var stock = ModelProto.Parser.ParseFrom(file);
        var sliced = InitializerSlicing.Parse(file);
        Assert.Equal(stock, sliced);
        Assert.Equal(stock.ToByteArray(), sliced.ToByteArray());
        // The initializers' bytes are the file's own: changing the file changes them (no copy was taken).
        var tensor = sliced.Graph.Initializer.First(t => t.RawData.Length > 0);
        byte before = tensor.RawData[0];
        int offset = IndexOf(file, stock.Graph.Initializer.First(t => t.RawData.Length > 0).RawData.ToByteArray());
        file[offset] ^= 0xff;
        Assert.NotEqual(before, tensor.RawData[0]);
    }

    [Fact]
    public void A_broken_file_fails_as_the_stock_parser_fails()
    {
        byte[] file = File.ReadAllBytes(RepositoryFiles.Model("fmnist-mlp.onnx"));
        byte[] truncated = file[..(file.Length / 2)];
        var stock = Assert.ThrowsAny<InvalidProtocolBufferException>(() => ModelProto.Parser.ParseFrom(truncated));
        var sliced = Assert.ThrowsAny<InvalidProtocolBufferException>(() => InitializerSlicing.Parse(truncated));
        Assert.Equal(stock.Message, sliced.Message);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        var span = haystack.AsSpan();
        int index = span.IndexOf(needle.AsSpan(0, Math.Min(64, needle.Length)));
        Assert.True(index >= 0);
        return index;
    }
}
