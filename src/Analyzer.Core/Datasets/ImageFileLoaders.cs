using Analyzer.Core.Errors;
using System.IO.Compression;

namespace Analyzer.Core.Datasets;

/// <summary>Loaders for npz arrays and CIFAR-10 (binary batches or image folders, streamed as
/// <see cref="ImageFolderListing"/> says).</summary>
public static class ImageFileLoaders
{
    /// <summary>npz:FILE with arrays x (images: N,H,W or N,H,W,C or N,C,H,W, or N,F features) and, optionally, y (labels;
    /// without them the examples are unlabelled). A four-axis x whose last axis is 1, 3 or 4 is channel-last. 8-bit x are
    /// images; any other dtype is numbers used as they are.</summary>
    public static ImageDataset Npz(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException($"{path}: file not found");
        NpyArray? x = null, y = null;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries)
            {
                if (entry.Name is not ("x.npy" or "y.npy")) continue;
                using var stream = entry.Open();
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                var array = NpyArray.Parse(memory.ToArray(), $"{path}: {entry.Name}");
                if (entry.Name == "x.npy") x = array; else y = array;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not an npz (zip) file ({e.Message})");
        }
        if (x is null)
            throw new DataFormatException($"{path}: needs an array named x (the examples) and, optionally, y (their labels); found {(y is null ? "neither" : "only y")}");
        int n = x.Shape[0];
        if (y is not null && y.Count != n)
            throw new DataFormatException($"{path}: {y.Count} labels in y for {n} examples in x");
        var labels = y is null ? new double[n] : Enumerable.Range(0, n).Select(i => y.Value(i)).ToArray();
        int bad = Array.FindIndex(labels, l => l < 0 || l != Math.Floor(l));
        if (bad >= 0) throw new DataFormatException($"{path}: label {labels[bad]} of example {bad} is not a class index");
        int[] ints = labels.Select(l => (int)l).ToArray();
        int classes = Math.Max(10, ints.DefaultIfEmpty(0).Max() + 1);
        var (c, h, w, channelLast) = Layout(x.Shape, path);
        long size = (long)c * h * w;
        int Source(long i)
        {
            if (!channelLast) return (int)i;
            long e = i / size, r = i % size, ch = r / (h * w), pix = r % (h * w);
            return (int)(e * size + pix * c + ch);
        }
        ImageDataset data;
        if (x.IsBytes)
        {
            var pixels = new byte[n * size];
            for (long i = 0; i < pixels.LongLength; i++) pixels[i] = x.Data[Source(i)];
            data = new ImageDataset(path, pixels, ints, c, h, w, classes);
        }
        else
        {
            var floats = new float[n * size];
            for (long i = 0; i < floats.LongLength; i++) floats[i] = (float)x.Value(Source(i));
            data = ImageDataset.FromFloats(path, floats, ints, c, h, w, classes);
        }
        return y is null ? data.Unlabelled() : data;
    }

    private static (int C, int H, int W, bool ChannelLast) Layout(int[] shape, string path) => shape.Length switch
    {
        2 => (1, 1, shape[1], false),
        3 => (1, shape[1], shape[2], false),
        // NumPy and TensorFlow keep channels last; a last axis of 1, 3 or 4 is read as channels.
        4 when shape[3] is 1 or 3 or 4 => (shape[3], shape[1], shape[2], true),
        4 => (shape[1], shape[2], shape[3], false),
        _ => throw new DataFormatException($"{path}: x has shape ({string.Join(", ", shape)}); expected (N, F), (N, H, W), (N, H, W, C) or (N, C, H, W)"),
    };

    /// <summary>cifar10:DIR[:split]: the binary batches (data_batch_1..5.bin, test_batch.bin) or train/ and test/ image
    /// folders with one subfolder per class.</summary>
    public static ImageDataset Cifar10(string dir, DatasetSplit split, ImageGeometry geometry)
    {
        string testBatch = Path.Combine(dir, "test_batch.bin");
        if (File.Exists(testBatch))
        {
            var files = split == DatasetSplit.Test
                ? [testBatch]
                : Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")).ToArray();
            const int record = 1 + 3072;
            var pixels = new List<byte>();
            var labels = new List<int>();
            foreach (string file in files)
            {
                if (!File.Exists(file)) throw new DataFormatException($"{file}: file not found");
                byte[] bytes = File.ReadAllBytes(file);
                if (bytes.Length % record != 0)
                    throw new DataFormatException($"{file}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR-10 records");
                for (int r = 0; r < bytes.Length / record; r++)
                {
                    labels.Add(bytes[r * record]);
                    pixels.AddRange(bytes.AsSpan(r * record + 1, 3072).ToArray());
                }
            }
            return new ImageDataset(dir, pixels.ToArray(), labels.ToArray(), 3, 32, 32, 10);
        }
        string folder = Path.Combine(dir, split == DatasetSplit.Test ? "test" : "train");
        if (Directory.Exists(folder)) return ImageDataset.Stream(ImageFolderListing.Read(folder, null), geometry);
        throw new DataFormatException($"{dir}: neither CIFAR-10 binary batches (test_batch.bin) nor train/ and test/ image folders");
    }
}
