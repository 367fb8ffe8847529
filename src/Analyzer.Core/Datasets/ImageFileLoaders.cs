using System.IO.Compression;
using StbImageSharp;

namespace Analyzer.Core.Datasets;

/// <summary>Loaders for npz arrays, folders of images (one subfolder per class) and CIFAR-10 (binary batches or image
/// folders).</summary>
public static class ImageFileLoaders
{
    /// <summary>npz:FILE with arrays x (images: N,H,W or N,H,W,C or N,C,H,W, or N,F features) and y (labels). A
    /// four-axis x whose last axis is 1, 3 or 4 is channel-last.</summary>
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
        if (x is null || y is null)
            throw new DataFormatException($"{path}: needs arrays named x (images) and y (labels); found {(x is null ? "no x" : "x")} and {(y is null ? "no y" : "y")}");
        int n = x.Shape[0];
        if (y.Count != n)
            throw new DataFormatException($"{path}: {y.Count} labels in y for {n} examples in x");
        var labels = Enumerable.Range(0, n).Select(i => y.Value(i)).ToArray();
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
        if (x.IsBytes)
        {
            var pixels = new byte[n * size];
            for (long i = 0; i < pixels.LongLength; i++) pixels[i] = x.Data[Source(i)];
            return new ImageDataset(path, pixels, ints, c, h, w, classes);
        }
        var floats = new float[n * size];
        for (long i = 0; i < floats.LongLength; i++) floats[i] = (float)x.Value(Source(i));
        return ImageDataset.FromFloats(path, floats, ints, c, h, w, classes);
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

    /// <summary>folder:DIR, one subfolder per class (sorted by name), PNG/JPEG/BMP images of one size.</summary>
    public static ImageDataset Folder(string dir)
    {
        if (!Directory.Exists(dir)) throw new DataFormatException($"{dir}: directory not found");
        var classDirs = Directory.GetDirectories(dir).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0) throw new DataFormatException($"{dir}: no class subfolders; expected one subfolder of images per class");
        var files = classDirs.SelectMany((d, label) => Directory.GetFiles(d)
            .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg" or ".bmp")
            .OrderBy(f => f, StringComparer.Ordinal).Select(f => (File: f, Label: label))).ToList();
        if (files.Count == 0) throw new DataFormatException($"{dir}: the class subfolders hold no PNG, JPEG or BMP images");
        var first = Decode(files[0].File, ColorComponents.Default);
        var components = first.Comp is ColorComponents.Grey or ColorComponents.GreyAlpha ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        int channels = components == ColorComponents.Grey ? 1 : 3, width = first.Width, height = first.Height;
        int size = channels * width * height;
        var pixels = new byte[(long)files.Count * size];
        Parallel.For(0, files.Count, i =>
        {
            var image = Decode(files[i].File, components);
            if (image.Width != width || image.Height != height)
                throw new DataFormatException($"{files[i].File}: {image.Width}x{image.Height} pixels, but {files[0].File} has {width}x{height}; all images must have one size");
            // Interleaved (h, w, c) to planar (c, h, w).
            for (int p = 0; p < width * height; p++)
                for (int c = 0; c < channels; c++)
                    pixels[(long)i * size + c * width * height + p] = image.Data[p * channels + c];
        });
        return new ImageDataset(dir, pixels, files.Select(f => f.Label).ToArray(), channels, height, width, Math.Max(classDirs.Length, 2));
    }

    private static ImageResult Decode(string file, ColorComponents components)
    {
        try
        {
            return ImageResult.FromMemory(File.ReadAllBytes(file), components);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new DataFormatException($"{file}: not a readable image ({e.Message})");
        }
    }

    /// <summary>cifar10:DIR[:split]: the binary batches (data_batch_1..5.bin, test_batch.bin) or train/ and test/ image
    /// folders with one subfolder per class.</summary>
    public static ImageDataset Cifar10(string dir, DatasetSplit split)
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
        if (Directory.Exists(folder)) return Folder(folder);
        throw new DataFormatException($"{dir}: neither CIFAR-10 binary batches (test_batch.bin) nor train/ and test/ image folders");
    }
}
