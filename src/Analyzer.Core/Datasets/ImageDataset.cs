namespace Analyzer.Core.Datasets;

/// <summary>
/// Labelled images held as 8-bit pixels, channel-first ([examples x channels x height x width]); converted to the
/// model's floats batch by batch with a <see cref="Preprocessing"/>, so a 60 000-image set costs 47 MB, not 188.
/// </summary>
public sealed class ImageDataset
{
    public ImageDataset(string source, byte[] pixels, int[] labels, int channels, int height, int width, int classes)
    {
        long perExample = (long)channels * height * width;
        if (pixels.Length != labels.Length * perExample)
            throw new DataFormatException($"{source}: {pixels.Length} pixel values do not make {labels.Length} images of {channels}x{height}x{width}");
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException($"{source}: label {labels[bad]} of example {bad} is outside the class range 0..{classes - 1}");
        Source = source;
        Pixels = pixels;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
    }

    /// <summary>Where the data came from, as messages name it.</summary>
    public string Source { get; }
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
        var scale = new float[Channels];
        var offset = new float[Channels];
        for (int c = 0; c < Channels; c++)
        {
            double mean = preprocessing.MeanFor(c, Channels), std = preprocessing.StdFor(c, Channels);
            scale[c] = (float)(preprocessing.Scale / std);
            offset[c] = (float)(-mean / std);
        }
        var source = Pixels.AsSpan(start * size, count * size);
        for (int i = 0; i < count * size; i++)
        {
            int c = i / plane % Channels;
            destination[i] = source[i] * scale[c] + offset[c];
        }
    }
}
