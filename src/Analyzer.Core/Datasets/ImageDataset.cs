namespace Analyzer.Core.Datasets;

/// <summary>
/// Labelled images held channel-first ([examples x channels x height x width]) as 8-bit pixels (or, for float
/// sources, as floats in the same pixel domain); converted to the model's floats batch by batch with a
/// <see cref="Preprocessing"/>, so a 60 000-image 8-bit set costs 47 MB, not 188.
/// </summary>
public sealed class ImageDataset
{
    private readonly float[]? floats;

    public ImageDataset(string source, byte[] pixels, int[] labels, int channels, int height, int width, int classes)
        : this(source, pixels, null, labels, channels, height, width, classes) { }

    /// <summary>Float pixels (for example an npz array of float32), in the domain --scale/--mean/--std expect.</summary>
    public static ImageDataset FromFloats(string source, float[] pixels, int[] labels, int channels, int height, int width, int classes) =>
        new(source, null, pixels, labels, channels, height, width, classes);

    private ImageDataset(string source, byte[]? bytes, float[]? floats, int[] labels, int channels, int height, int width, int classes)
    {
        long perExample = (long)channels * height * width;
        long length = bytes?.LongLength ?? floats!.LongLength;
        if (length != labels.Length * perExample)
            throw new DataFormatException($"{source}: {length} pixel values do not make {labels.Length} images of {channels}x{height}x{width}");
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException($"{source}: label {labels[bad]} of example {bad} is outside the class range 0..{classes - 1}");
        Source = source;
        Pixels = bytes ?? [];
        this.floats = floats;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
    }

    /// <summary>Where the data came from, as messages name it.</summary>
    public string Source { get; }
    /// <summary>8-bit pixels (empty when the source held floats).</summary>
    public byte[] Pixels { get; }
    public int[] Labels { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public int Classes { get; }
    public int Count => Labels.Length;
    public int ExampleSize => Channels * Height * Width;

    /// <summary>Writes examples [start, start + count) into <paramref name="destination"/> as preprocessed floats.</summary>
    public void FillBatch(int start, int count, Span<float> destination, Preprocessing preprocessing)
    {
        int size = ExampleSize, plane = Height * Width;
        if (destination.Length < count * size)
            throw new ArgumentException($"destination holds {destination.Length} values; {count} examples need {count * size}", nameof(destination));
        bool swap = preprocessing.Bgr && Channels == 3;
        // Source channel c lands in model channel Order(c); mean and std are given in the model's channel order.
        int Order(int c) => swap ? 2 - c : c;
        int Target(int i, int c) => swap ? i + (Order(c) - c) * plane : i;
        var scale = new float[Channels];
        var offset = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double mean = preprocessing.MeanFor(c, Channels), std = preprocessing.StdFor(c, Channels);
            scale[c] = (float)(preprocessing.Scale / std);
            offset[c] = (float)(-mean / std);
        }
        if (floats is not null)
        {
            var values = floats.AsSpan(start * size, count * size);
            for (int i = 0; i < count * size; i++)
            {
                int c = i / plane % Channels;
                destination[Target(i, c)] = values[i] * scale[Order(c)] + offset[Order(c)];
            }
            return;
        }
        var source = Pixels.AsSpan(start * size, count * size);
        for (int i = 0; i < count * size; i++)
        {
            int c = i / plane % Channels;
            destination[Target(i, c)] = source[i] * scale[Order(c)] + offset[Order(c)];
        }
    }
}
