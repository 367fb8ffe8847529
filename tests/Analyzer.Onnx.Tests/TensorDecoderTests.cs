using Analyzer.Onnx.Protos;
using Analyzer.TestSupport;
using Google.Protobuf;

namespace Analyzer.Onnx.Tests;

public class TensorDecoderTests
{
    private static TensorProto Tensor(TensorProto.Types.DataType type, params long[] dims)
    {
        var t = new TensorProto { Name = "t", DataType = (int)type };
        t.Dims.AddRange(dims);
        return t;
    }

    [Fact]
    public void Float32_raw_data_is_little_endian()
    {
        var t = Tensor(TensorProto.Types.DataType.Float, 3);
        t.RawData = ByteString.CopyFrom([.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-2f), .. BitConverter.GetBytes(0.25f)]);
        Assert.Equal([1.5, -2, 0.25], TensorDecoder.Decode("m.onnx", t).Floats!);
    }

    [Fact]
    public void Float16_values_decode_from_raw_data_and_from_int32_data()
    {
        // 0x3C00 = 1.0, 0xC000 = -2.0, 0x3555 ≈ 0.333251953125 (IEEE binary16).
        var raw = Tensor(TensorProto.Types.DataType.Float16, 3);
        raw.RawData = ByteString.CopyFrom([0x00, 0x3C, 0x00, 0xC0, 0x55, 0x35]);
        Assert.Equal([1.0, -2.0, 0.333251953125], TensorDecoder.Decode("m.onnx", raw).Floats!);
        var typed = Tensor(TensorProto.Types.DataType.Float16, 3);
        typed.Int32Data.AddRange([0x3C00, 0xC000, 0x3555]);
        Assert.Equal([1.0, -2.0, 0.333251953125], TensorDecoder.Decode("m.onnx", typed).Floats!);
    }

    [Fact]
    public void Float64_typed_field_keeps_full_precision()
    {
        var t = Tensor(TensorProto.Types.DataType.Double, 2);
        t.DoubleData.AddRange([Math.PI, 1e-300]);
        Assert.Equal([Math.PI, 1e-300], TensorDecoder.Decode("m.onnx", t).Floats!);
    }

    [Fact]
    public void External_data_is_read_from_the_file_beside_the_model()
    {
        string dir = TempDirectory.Create();
        byte[] payload = [0, 0, 0, 0, .. BitConverter.GetBytes(3.0f), .. BitConverter.GetBytes(4.0f)];
        File.WriteAllBytes(Path.Combine(dir, "weights.bin"), payload);
        var t = Tensor(TensorProto.Types.DataType.Float, 2);
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "weights.bin" });
        t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "4" });
        t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = "8" });
        Assert.Equal([3.0, 4.0], TensorDecoder.Decode(Path.Combine(dir, "m.onnx"), t).Floats!);
    }

    [Fact]
    public void Missing_external_file_names_the_tensor_and_the_file()
    {
        var t = Tensor(TensorProto.Types.DataType.Float, 2);
        t.DataLocation = TensorProto.Types.DataLocation.External;
        t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = "gone.bin" });
        var e = Assert.Throws<ModelFormatException>(() => TensorDecoder.Decode("dir/m.onnx", t));
        Assert.Equal("dir/m.onnx: tensor 't': external data file 'gone.bin' not found next to the model", e.Message);
    }

    [Fact]
    public void Raw_data_of_the_wrong_length_is_reported()
    {
        var t = Tensor(TensorProto.Types.DataType.Float, 4);
        t.RawData = ByteString.CopyFrom(new byte[12]);
        var e = Assert.Throws<ModelFormatException>(() => TensorDecoder.Decode("m.onnx", t));
        Assert.Equal("m.onnx: tensor 't': raw data holds 12 bytes but shape [4] needs 16", e.Message);
    }

    [Fact]
    public void Int64_and_uint8_tensors_decode_as_integers()
    {
        var ints = Tensor(TensorProto.Types.DataType.Int64, 2);
        ints.Int64Data.AddRange([-1, 1L << 40]);
        Assert.Equal([-1, 1L << 40], TensorDecoder.Decode("m.onnx", ints).Ints!);
        var bytes = Tensor(TensorProto.Types.DataType.Uint8, 2);
        bytes.RawData = ByteString.CopyFrom([255, 7]);
        Assert.Equal([255L, 7L], TensorDecoder.Decode("m.onnx", bytes).Ints!);
    }
}
