using Analyzer.Core.Errors;
using System.IO.Compression;

namespace Analyzer.Core.Datasets;

/// <summary>Loaders for npz arrays and CIFAR-10 (binary batches or image folders, streamed as
/// <see cref="ImageFolderListing"/> says).</summary>
public static class ImageFileLoaders
{
    /// <summary>npz:FILE with arrays x (images: N,H,W or N,H,W,C or N,C,H,W, or N,F features) and, optionally, y (labels;
    /// without them the examples are unlabelled). A four-axis x whose last axis is 1, 3 or 4 is channel-last. 8-bit x are
    /// images; any other dtype is numbers used as they are. Several arrays besides y (or one not named x) are named
    /// inputs, one array per model input ([N, ...] each, any dtype, used as they are: token ids and their attention
    /// mask). y is [N] (a label per example) or [N, T...] (a label per position, -1 where a position is not scored).</summary>
    public static ImageDataset Npz(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException($"{path}: file not found");
        var arrays = new List<(string Name, NpyArray Array)>();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            foreach (var entry in zip.Entries.Where(e => e.Name.EndsWith(".npy", StringComparison.Ordinal)))
            {
                using var stream = entry.Open();
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                arrays.Add((entry.Name[..^4], NpyArray.Parse(memory.ToArray(), $"{path}: {entry.Name}")));
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException($"{path}: not an npz (zip) file ({e.Message})");
        }
        var y = arrays.FirstOrDefault(a => a.Name == "y").Array;
        var inputs = arrays.Where(a => a.Name != "y").ToList();
        if (inputs.Count == 0)
            throw new DataFormatException($"{path}: needs an array named x (the examples), or one array per model input, and, optionally, y (their labels); found {(y is null ? "none" : "only y")}");
        int n = inputs[0].Array.Shape.Length == 0 ? 0 : inputs[0].Array.Shape[0];
        foreach (var (name, array) in inputs.Where(a => a.Array.Shape.Length == 0 || a.Array.Shape[0] != n))
            throw new DataFormatException($"{path}: array {name} has shape ({string.Join(", ", array.Shape)}); every array needs the same first size, the examples ({n} in {inputs[0].Name})");
        if (y is not null && (y.Shape.Length == 0 || y.Shape[0] != n))
            throw new DataFormatException($"{path}: y has shape ({string.Join(", ", y.Shape)}) for {n} examples in {inputs[0].Name}");
        bool perPosition = y is not null && y.Shape.Length > 1;
        var labels = y is null ? new double[n] : Enumerable.Range(0, y.Count).Select(i => y.Value(i)).ToArray();
        int bad = Array.FindIndex(labels, l => l < (perPosition ? -1 : 0) || l != Math.Floor(l));
        if (bad >= 0) throw new DataFormatException($"{path}: label {labels[bad]} of example {bad / (labels.Length / Math.Max(1, n))} is not a class index{(perPosition ? " or -1" : "")}");
        int[] ints = labels.Select(l => (int)l).ToArray();
        int classes = Math.Max(10, ints.DefaultIfEmpty(0).Max() + 1);
        ImageDataset data;
        if (inputs.Count > 1 || inputs[0].Name != "x" || perPosition)
            data = Fields(path, inputs, n, perPosition ? new int[n] : ints, classes, perPosition ? ints : null);
        else
            data = Images(path, inputs[0].Array, n, ints, classes);
        return y is null ? data.Unlabelled() : data;
    }

    /// <summary>x as images (8-bit) or arrays of numbers in image or feature layout.</summary>
    private static ImageDataset Images(string path, NpyArray x, int n, int[] labels, int classes)
    {
        var (c, h, w, channelLast) = Layout(x.Shape, path);
        long size = (long)c * h * w;
        int Source(long i)
        {
            if (!channelLast) return (int)i;
            long e = i / size, r = i % size, ch = r / (h * w), pix = r % (h * w);
            return (int)(e * size + pix * c + ch);
        }
        if (x.IsBytes)
        {
            var pixels = new byte[n * size];
            for (long i = 0; i < pixels.LongLength; i++) pixels[i] = x.Data[Source(i)];
            return new ImageDataset(path, pixels, labels, c, h, w, classes);
        }
        var floats = new float[n * size];
        for (long i = 0; i < floats.LongLength; i++) floats[i] = (float)x.Value(Source(i));
        return ImageDataset.FromFloats(path, floats, labels, c, h, w, classes);
    }

    /// <summary>Named arrays, used as they are, each example's values laid end to end in the file's order.</summary>
    private static ImageDataset Fields(string path, List<(string Name, NpyArray Array)> inputs, int n, int[] labels, int classes, int[]? positionLabels)
    {
        var fields = inputs.Select(a => new DataField(a.Name, a.Array.Shape[1..].Select(d => (long)d).ToArray())).ToList();
        long size = fields.Sum(f => f.Size);
        var values = new float[n * size];
        long offset = 0;
        for (int f = 0; f < fields.Count; f++)
        {
            long each = fields[f].Size;
            for (long e = 0; e < n; e++)
                for (long i = 0; i < each; i++)
                    values[e * size + offset + i] = (float)inputs[f].Array.Value(e * each + i);
            offset += each;
        }
        return ImageDataset.FromFields(path, values, fields, labels, classes, positionLabels);
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
