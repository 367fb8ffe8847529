using Analyzer.Core.Errors;
using Microsoft.Win32.SafeHandles;
using StbImageSharp;

namespace Analyzer.Core.Datasets;

/// <summary>
/// Examples decoded from image files only when a batch needs them, never all in memory: blocks of
/// <see cref="BlockExamples"/> files are decoded in parallel (and shaped by an <see cref="ImageGeometry"/>) into a
/// temporary file of 8-bit examples (unlinked as soon as it is open), so the later passes of a run (one per node set
/// for lesions) read bytes instead of decoding again; while one block is used, the next one is decoded in the
/// background. Memory: a few blocks of examples.
/// </summary>
internal sealed class StreamedImages
{
    public const int BlockExamples = 64;

    private readonly string[] files;
    private readonly ImageGeometry geometry;
    private readonly Task[] blocks;
    private readonly object gate = new();
    private SafeFileHandle? cache;

    public StreamedImages(string[] files, ImageGeometry geometry, int channels, int height, int width)
    {
        this.files = files;
        this.geometry = geometry;
        Channels = channels;
        Height = height;
        Width = width;
        blocks = new Task[(files.Length + BlockExamples - 1) / BlockExamples];
    }

    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Count => files.Length;
    private int ExampleSize => Channels * Height * Width;

    /// <summary>The first file's channels (grey or RGB) and size, without decoding the rest.</summary>
    public static (int Channels, int Height, int Width) Probe(string file)
    {
        var image = Decode(file, ColorComponents.Default);
        int channels = image.Comp is ColorComponents.Grey or ColorComponents.GreyAlpha ? 1 : 3;
        return (channels, image.Height, image.Width);
    }

    /// <summary>The same files as examples of another shape (decoded again, to that shape, when needed).</summary>
    public StreamedImages As(int channels, int height, int width) => new(files, geometry, channels, height, width);

    /// <summary>The examples at <paramref name="indices"/>, in that order.</summary>
    public StreamedImages Subset(int[] indices) => new(indices.Select(i => files[i]).ToArray(), geometry, Channels, Height, Width);

    /// <summary>Examples [start, start + count) as planar 8-bit pixels.</summary>
    public void Read(int start, int count, Span<byte> destination)
    {
        int size = ExampleSize;
        for (int example = start; example < start + count;)
        {
            int block = example / BlockExamples;
            Block(block).GetAwaiter().GetResult();
            if (block + 1 < blocks.Length) Block(block + 1); // decoded in the background while this one is used
            int end = Math.Min(start + count, (block + 1) * BlockExamples);
            RandomAccess.Read(cache!, destination.Slice((example - start) * size, (end - example) * size), (long)example * size);
            example = end;
        }
    }

    private Task Block(int block)
    {
        lock (gate)
        {
            if (cache is null)
            {
                string path = Path.Combine(Path.GetTempPath(), $"analyzer-images-{Guid.NewGuid():N}.bin");
                cache = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Delete, FileOptions.DeleteOnClose);
                // Unlinked at once where the system allows it (the open handle keeps the data), so that not even a
                // killed run leaves the file behind; elsewhere it goes when the handle closes.
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            return blocks[block] ??= Task.Run(() => DecodeBlock(block));
        }
    }

    private void DecodeBlock(int block)
    {
        int first = block * BlockExamples, count = Math.Min(BlockExamples, files.Length - first), size = ExampleSize, plane = Height * Width;
        var pixels = new byte[count * size];
        var components = Channels == 1 ? ColorComponents.Grey : ColorComponents.RedGreenBlue;
        // A file that cannot be decoded fails the block with its own message (the first such file, in file order).
        var failures = new DataFormatException?[count];
        Parallel.For(0, count, i =>
        {
            ImageResult image;
            try
            {
                image = Decode(files[first + i], components);
            }
            catch (DataFormatException e)
            {
                failures[i] = e;
                return;
            }
            var shaped = geometry.Apply(image.Data, image.Width, image.Height, Channels, Width, Height);
            // Interleaved (h, w, c) to planar (c, h, w).
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < Channels; c++)
                    pixels[i * size + c * plane + p] = shaped[p * Channels + c];
        });
        if (failures.FirstOrDefault(f => f is not null) is { } failure) throw failure;
        RandomAccess.Write(cache!, pixels, (long)first * size);
    }

    private static ImageResult Decode(string file, ColorComponents components)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(file);
            JpegSegments.Check(bytes, file);
            return ImageResult.FromMemory(bytes, components);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new DataFormatException($"{file}: not a readable image ({e.Message})");
        }
    }
}
