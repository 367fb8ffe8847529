using Analyzer.TestSupport;

namespace Analyzer.Onnx.Tests;

public class MappedFileTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4097)]
    [InlineData(3_000_001)]
    public void Maps_the_bytes_of_the_file(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        string path = Path.Combine(TempDirectory.Create(), "file.bin");
        File.WriteAllBytes(path, bytes);

        var mapped = MappedFile.Map(path);

        Assert.Equal(length, mapped.Length);
        Assert.True(mapped.Span.SequenceEqual(bytes));
    }

    [Fact]
    public void A_model_loaded_from_a_mapping_has_the_file_hash_and_weights()
    {
        string path = new TinyModel()
            .Input("x", 1, 2)
            .Weight("W", [3, 2], 1, 2, 3, 4, 5, 6)
            .Node("MatMul", ["x", "W"], ["y"], "fc")
            .Output("y").Save();
        var model = OnnxModelFile.Load(path);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), model.Sha256);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], model.Graph.Initializers["W"].AsDoubles());
    }
}
