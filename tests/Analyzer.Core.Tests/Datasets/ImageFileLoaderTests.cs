using Analyzer.Core.Errors;
using Analyzer.Core.Networks;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Analyzer.Core.Datasets;
using Analyzer.Core.Lesions;
using Analyzer.Onnx.Inference;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Datasets;

public class ImageFileLoaderTests
{
    private static byte[] Npy(string descr, int[] shape, byte[] data) => NpzBytes.Npy(descr, shape, data);

    private static string Npz(params (string Name, byte[] Bytes)[] arrays) => NpzBytes.Npz(arrays);

    [Fact]
    public void Npz_channel_last_uint8_images_become_channel_first()
    {
        // Two 1x2 images with 3 channels (N, H, W, C).
        byte[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        byte[] y = [.. BitConverter.GetBytes(1L), .. BitConverter.GetBytes(0L)];
        var data = DatasetLoader.Load(DatasetSpec.Parse($"npz:{Npz(("x.npy", Npy("|u1", [2, 1, 2, 3], x)), ("y.npy", Npy("<i8", [2], y)))}"), DatasetSplit.Test);
        Assert.Equal((2, 3, 1, 2), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12], data.Pixels.Select(b => (int)b));
        Assert.Equal([1, 0], data.Labels);
    }

    [Fact]
    public void Npz_float_features_keep_their_values()
    {
        byte[] x = [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-1f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(4f)];
        byte[] y = [.. BitConverter.GetBytes(2), .. BitConverter.GetBytes(1)];
        var data = DatasetLoader.Load(DatasetSpec.Parse($"npz:{Npz(("x.npy", Npy("<f4", [2, 2], x)), ("y.npy", Npy("<i4", [2], y)))}"), DatasetSplit.Test);
        var batch = new float[4];
        data.FillBatch(0, 2, batch, new Preprocessing(1, [0.0], [1.0]));
        Assert.Equal([0.5f, -1f, 2f, 4f], batch);
    }

    [Fact]
    public void Npz_without_labels_is_unlabelled_and_without_examples_names_what_is_missing()
    {
        var data = ImageFileLoaders.Npz(Npz(("x.npy", Npy("|u1", [1, 2], [1, 2]))));
        Assert.False(data.HasLabels);
        Assert.Equal(1, data.Count);
        string path = Npz(("y.npy", Npy("|u1", [1], [1])));
        var e = Assert.Throws<DataFormatException>(() => ImageFileLoaders.Npz(path));
        Assert.Equal($"{path}: needs an array named x (the examples), or one array per model input, and, optionally, y (their labels); found only y", e.Message);
    }

    [Fact]
    public void Npz_float_features_are_used_as_they_are_whatever_the_preprocessing()
    {
        byte[] x = [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-1f), .. BitConverter.GetBytes(2f), .. BitConverter.GetBytes(4f)];
        var data = DatasetLoader.Load(DatasetSpec.Parse($"npz:{Npz(("x.npy", Npy("<f4", [2, 2], x)))}"), DatasetSplit.Test);
        var batch = new float[4];
        data.FillBatch(0, 2, batch, Preprocessing.Default);
        Assert.Equal([0.5f, -1f, 2f, 4f], batch);
        Assert.True(data.IsArray && data.IsVector);
    }

    /// <summary>A 24-bit BMP (bottom-up rows, BGR, rows padded to 4 bytes).</summary>
    internal static byte[] Bmp(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        int stride = (width * 3 + 3) / 4 * 4, size = 54 + stride * height;
        var b = new byte[size];
        "BM"u8.CopyTo(b);
        BitConverter.GetBytes(size).CopyTo(b, 2);
        BitConverter.GetBytes(54).CopyTo(b, 10);
        BitConverter.GetBytes(40).CopyTo(b, 14);
        BitConverter.GetBytes(width).CopyTo(b, 18);
        BitConverter.GetBytes(height).CopyTo(b, 22);
        BitConverter.GetBytes((short)1).CopyTo(b, 26);
        BitConverter.GetBytes((short)24).CopyTo(b, 28);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, bl) = pixel(x, y);
                int o = 54 + (height - 1 - y) * stride + 3 * x;
                (b[o], b[o + 1], b[o + 2]) = (bl, g, r);
            }
        return b;
    }

    [Fact]
    public void Folder_of_class_subfolders_decodes_rgb_images_channel_first_with_sorted_classes()
    {
        string dir = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(dir, "b_dog"));
        Directory.CreateDirectory(Path.Combine(dir, "a_cat"));
        File.WriteAllBytes(Path.Combine(dir, "b_dog", "1.bmp"), Bmp(2, 1, (x, _) => ((byte)(10 + x), 20, 30)));
        File.WriteAllBytes(Path.Combine(dir, "a_cat", "1.bmp"), Bmp(2, 1, (x, _) => (1, 2, (byte)(3 + x))));
        var data = DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir}"), DatasetSplit.Test);
        Assert.Equal((2, 3, 1, 2), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([0, 1], data.Labels); // a_cat before b_dog
        Assert.True(data.IsStreamed);
        var pixels = new float[12];
        data.FillBatch(0, 2, pixels, new Preprocessing(1, [0.0], [1.0]));
        Assert.Equal([1f, 1, 2, 2, 3, 4, 10, 11, 20, 20, 30, 30], pixels);
        // BGR order swaps the first and last planes.
        var batch = new float[12];
        data.FillBatch(0, 2, batch, new Preprocessing(1, [0.0], [1.0], Bgr: true));
        Assert.Equal([3f, 4, 2, 2, 1, 1, 30, 30, 20, 20, 10, 11], batch);
    }

    [Fact]
    public void Cifar10_binary_batches_are_read_record_by_record()
    {
        string dir = TempDirectory.Create();
        var record = new byte[3073];
        record[0] = 7;
        record[1] = 200;     // red plane, first pixel
        record[1025] = 100;  // green plane, first pixel
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), [.. record, .. record]);
        var data = DatasetLoader.Load(DatasetSpec.Parse($"cifar10:{dir}:test"), DatasetSplit.Train);
        Assert.Equal((2, 3, 32, 32), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([7, 7], data.Labels);
        Assert.Equal(200, data.Pixels[0]);
        Assert.Equal(100, data.Pixels[1024]);
    }

    [SkippableFact]
    public void Cifar10_jpeg_test_set_through_the_winml_cnn_gives_its_documented_accuracy()
    {
        Skip.If(RepositoryFiles.SharedData is null, "../shared/data is absent in this checkout");
        string tarball = Path.Combine(RepositoryFiles.SharedData!, "cifar10-jpg", "cifar10-test-jpg.tar.gz");
        Skip.IfNot(File.Exists(tarball), "the CIFAR-10 JPEG test set is not in ../shared/data");
        string dir = TempDirectory.Create();
        using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            TarFile.ExtractToDirectory(gzip, dir, overwriteFiles: true);
        var data = DatasetLoader.Load(DatasetSpec.Parse($"cifar10:{Path.Combine(dir, "cifar10-jpg")}:test"), DatasetSplit.Test);
        Assert.Equal(10_000, data.Count);
        var network = ModelNetwork.Load(Path.Combine(RepositoryFiles.SharedData!, "onnx-real", "cifar10-winml-tutorial-cnn.onnx"));
        using var engine = new LesionEngine(network, data, new LesionOptions
        {
            Device = ExecutionDevice.Cpu,
            Preprocessing = new Preprocessing(1.0 / 255, [0.5], [0.5]), // (x/255 - 0.5)/0.5, RGB, as the tutorial trained it
        });
        // ../shared/data/README.md: 64.1 % with PyTorch on these JPEGs; JPEG decoders may differ on a few images.
        Assert.InRange(engine.Baseline().Accuracy, 0.636, 0.646);
    }

    [Fact]
    public void Npz_arrays_per_input_keep_their_names_dtypes_and_labels_per_position()
    {
        // Token ids (int64), a bool mask, half-precision features; y per position with -1 for padding.
        long[] ids = [5, 7, 9, 0, 3, 2];
        byte[] mask = [1, 1, 0, 1, 1, 1];
        var halves = new[] { (Half)0.5, (Half)(-1.25), (Half)2, (Half)3 };
        string path = Npz(
            ("input_ids.npy", NpzBytes.Int64([2, 3], ids)),
            ("attention_mask.npy", Npy("|b1", [2, 3], mask)),
            ("features.npy", Npy("<f2", [2, 2], halves.SelectMany(h => BitConverter.GetBytes(h)).ToArray())),
            ("y.npy", NpzBytes.Int64([2, 3], [1, 2, -1, 0, 4, 1])));
        var data = ImageFileLoaders.Npz(path);
        Assert.Equal(2, data.Count);
        Assert.Equal(["input_ids", "attention_mask", "features"], data.Fields!.Select(f => f.Name));
        Assert.Equal([[3L], [3L], [2L]], data.Fields!.Select(f => f.Dims));
        Assert.Equal([1, 2, -1, 0, 4, 1], data.PositionLabels);
        var values = new float[2 * 8];
        data.FillBatch(0, 2, values, Preprocessing.Default);
        Assert.Equal([5, 7, 9, 1, 1, 0, 0.5f, -1.25f, 0, 3, 2, 1, 1, 1, 2, 3], values);
        // Drawing examples keeps each one's position labels.
        var drawn = data.Draw(1, 0);
        var first = new float[8];
        drawn.FillBatch(0, 1, first, Preprocessing.Default);
        Assert.Equal(first[0] == 5 ? [1, 2, -1] : new[] { 0, 4, 1 }, drawn.PositionLabels);
    }

    [Fact]
    public void Npz_arrays_of_different_lengths_are_refused_naming_both()
    {
        string path = Npz(("a.npy", NpzBytes.Int64([2, 3], new long[6])), ("b.npy", NpzBytes.Int64([3, 3], new long[9])));
        var error = Assert.Throws<DataFormatException>(() => ImageFileLoaders.Npz(path));
        Assert.Contains("array b has shape (3, 3); every array needs the same first size, the examples (2 in a)", error.Message);
    }
}
