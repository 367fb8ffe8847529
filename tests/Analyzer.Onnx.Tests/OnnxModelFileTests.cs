using Analyzer.TestSupport;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Analyzer.Onnx.Tests;

public class OnnxModelFileTests
{
    private static TinyModel Dense() => new TinyModel()
        .Input("x", 1, 2)
        .Weight("W", [3, 2], 1, 2, 3, 4, 5, 6)
        .Weight("b", [3], 0.5, -0.5, 1)
        .Node("Gemm", ["x", "W", "b"], ["y"], "fc", ("transB", 1L))
        .Output("y");

    /// <summary>A length-delimited field with a number the minimal schema does not define.</summary>
    private static byte[] UnknownField(int number, byte[] payload)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(payload));
        output.Flush();
        return stream.ToArray();
    }

    [Fact]
    public void Round_trip_preserves_unknown_fields_byte_for_byte()
    {
        // ModelProto field 20 (training_info) and 25 (functions) are not in Analyzer's schema.
        byte[] original = [.. Dense().ToBytes(), .. UnknownField(20, [1, 2, 3, 4]), .. UnknownField(25, [9, 8, 7])];
        string path = Path.Combine(TempDirectory.Create(), "m.onnx");
        File.WriteAllBytes(path, original);
        var file = OnnxModelFile.Load(path);
        Assert.Equal(original, file.ToBytes());
    }

    [Fact]
    public void A_rewritten_model_runs_in_onnx_runtime_with_the_same_output()
    {
        string path = Dense().Save();
        var file = OnnxModelFile.Load(path);
        string copy = Path.Combine(TempDirectory.Create(), "copy.onnx");
        file.Save(copy);
        float[] Run(string model)
        {
            using var session = new InferenceSession(model);
            var input = new DenseTensor<float>(new float[] { 1, -1 }, [1, 2]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", input)]);
            return results.First().AsEnumerable<float>().ToArray();
        }
        // y = W x + b with W = [[1,2],[3,4],[5,6]], x = [1,-1]: [-1, -1, -1] + b.
        Assert.Equal(new float[] { -0.5f, -1.5f, 0f }, Run(copy));
        Assert.Equal(Run(path), Run(copy));
    }

    [Fact]
    public void Graph_lists_nodes_initializers_and_real_inputs()
    {
        var graph = OnnxModelFile.Load(Dense().Save()).Graph;
        Assert.Equal(13, graph.OpsetVersion);
        Assert.Equal(["x"], graph.Inputs.Select(i => i.Name));
        Assert.Equal([-1L, 2L], graph.Inputs[0].Shape!);
        var node = Assert.Single(graph.Nodes);
        Assert.Equal("fc", node.DisplayName);
        Assert.Equal(1, node.GetInt("transB", 0));
        Assert.Equal([1.0, 2, 3, 4, 5, 6], graph.Initializers["W"].Floats!);
        Assert.Equal(64, graph.Sha256.Length);
    }

    [Fact]
    public void A_truncated_file_is_reported_with_its_path()
    {
        byte[] bytes = Dense().ToBytes();
        string path = Path.Combine(TempDirectory.Create(), "truncated.onnx");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.StartsWith($"{path}: not a readable ONNX model", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void A_text_file_is_not_an_onnx_model()
    {
        string path = Path.Combine(TempDirectory.Create(), "notes.onnx");
        File.WriteAllText(path, "this is not a model\n");
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.StartsWith($"{path}: not a readable ONNX model", e.Message);
    }

    [Fact]
    public void A_missing_file_is_reported()
    {
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load("does-not-exist.onnx"));
        Assert.Equal("does-not-exist.onnx: file not found", e.Message);
    }

    [Fact]
    public void An_unsupported_opset_is_reported()
    {
        string path = new TinyModel(opset: 6).Input("x", 1, 2).Node("Relu", ["x"], ["y"]).Output("y").Save();
        var e = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.Equal($"{path}: default-domain opset 6 is not supported; expected 7 to 21", e.Message);
    }

    [Fact]
    public void A_tensor_over_2_GB_of_external_data_is_refused_by_name()
    {
        // 600 million floats (2.4 GB) in a sparse external file: no disk is used, and the model names the tensor.
        var m = new TinyModel().Input("x", 1, 4).Node("Relu", ["x"], ["y"]).Output("y");
        string path = m.Save();
        var model = Onnx.Protos.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        var huge = new Onnx.Protos.TensorProto { Name = "huge", DataType = 1, DataLocation = Onnx.Protos.TensorProto.Types.DataLocation.External };
        huge.Dims.Add(600_000_000);
        huge.ExternalData.Add(new Onnx.Protos.StringStringEntryProto { Key = "location", Value = "huge.bin" });
        model.Graph.Initializer.Add(huge);
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(model));
        using (var data = File.Create(Path.Combine(Path.GetDirectoryName(path)!, "huge.bin")))
            data.SetLength(2_400_000_000);
        var error = Assert.Throws<ModelFormatException>(() => OnnxModelFile.Load(path));
        Assert.Equal($"{path}: tensor 'huge': 2.4 GB in one tensor; Analyzer reads tensors up to 2 GB (one array each)", error.Message);
    }
}
