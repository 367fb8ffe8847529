using Analyzer.Core.Errors;
namespace Analyzer.Core.Datasets;

/// <summary>
/// Labelled images held channel-first ([examples x channels x height x width]) as 8-bit pixels (or, for float
/// sources, as floats in the same pixel domain); converted to the model's floats batch by batch with a
/// <see cref="Preprocessing"/>, so a 60 000-image 8-bit set costs 47 MB, not 188. Folders of image files are streamed
/// instead (<see cref="StreamedImages"/>): decoded when a batch needs them, never all held.
/// </summary>
public sealed class ImageDataset
{
    private readonly float[]? floats;
    private readonly ImageDataset? original; // set when this dataset is another one fitted to a model's input
    private readonly StreamedImages? streamed; // set when the examples are decoded from files as needed

    public ImageDataset(string source, byte[] pixels, int[] labels, int channels, int height, int width, int classes)
        : this(source, pixels, null, labels, channels, height, width, classes) { }

    /// <summary>Arrays of numbers (for example an npz array of float32 features or images), used as they are: no
    /// preprocessing and no resizing (docs/method.md §10).</summary>
    public static ImageDataset FromFloats(string source, float[] pixels, int[] labels, int channels, int height, int width, int classes) =>
        new(source, null, pixels, labels, channels, height, width, classes);

    /// <summary>Named arrays of numbers (an npz with an array per model input: token ids and their attention mask), each
    /// example's values laid end to end in field order; <paramref name="positionLabels"/> are labels per position
    /// ([examples x positions], -1 where a position is not scored), or null.</summary>
    public static ImageDataset FromFields(string source, float[] values, IReadOnlyList<DataField> fields, int[] labels, int classes,
        int[]? positionLabels = null)
    {
        long size = fields.Sum(f => f.Size);
        if (positionLabels is not null && positionLabels.LongLength % Math.Max(1, labels.Length) != 0)
            throw new DataFormatException($"{source}: {positionLabels.Length} position labels for {labels.Length} examples");
        return new(source, null, values, labels, 1, 1, (int)size, classes) { Fields = fields, PositionLabels = positionLabels };
    }

    /// <summary>The named arrays each example is made of, in order (null for images and single unnamed arrays).</summary>
    public IReadOnlyList<DataField>? Fields { get; private init; }

    /// <summary>Labels per position ([examples x positions], -1 where a position is not scored) for models that predict at
    /// several positions (sequences); null when the data label each example once.</summary>
    public int[]? PositionLabels { get; private init; }

    private ImageDataset(string source, byte[]? bytes, float[]? floats, int[] labels, int channels, int height, int width, int classes)
    {
        long perExample = (long)channels * height * width;
        long length = bytes?.LongLength ?? floats!.LongLength;
        if (length != labels.Length * perExample)
            throw new DataFormatException($"{source}: {length} pixel values do not make {labels.Length} images of {channels}x{height}x{width}");
        CheckLabels(source, labels, classes);
        Source = source;
        Pixels = bytes ?? [];
        this.floats = floats;
        Labels = labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = classes;
    }

    private ImageDataset(string source, StreamedImages streamed, int[] labels, int classes)
    {
        CheckLabels(source, labels, classes);
        this.streamed = streamed;
        Source = source;
        Pixels = [];
        Labels = labels;
        Channels = streamed.Channels;
        Height = streamed.Height;
        Width = streamed.Width;
        Classes = classes;
    }

    /// <summary>
    /// The images a listing names, streamed: each decoded when a batch needs it and shaped by
    /// <paramref name="geometry"/> to one size (the evaluation crop, or else the first image's size).
    /// </summary>
    public static ImageDataset Stream(ImageFolderListing listing, ImageGeometry geometry)
    {
        var (channels, height, width) = StreamedImages.Probe(listing.Files[0]);
        if (geometry.IsEvaluation) height = width = geometry.Crop!.Value;
        return new ImageDataset(listing.Source, new StreamedImages(listing.Files, geometry, channels, height, width), listing.Labels, listing.Classes);
    }

    private static void CheckLabels(string source, int[] labels, int classes)
    {
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classes);
        if (bad >= 0)
            throw new DataFormatException($"{source}: label {labels[bad]} of example {bad} is outside the class range 0..{classes - 1}");
    }

    /// <summary>Whether the examples are arrays of numbers used as they are rather than 8-bit images.</summary>
    public bool IsArray => floats is not null || (original?.IsArray ?? false);

    /// <summary>Whether each example is one row of values (an npz of [N, F] features) rather than an image.</summary>
    public bool IsVector => Channels == 1 && Height == 1;

    /// <summary>Whether the examples are decoded from files as batches need them.</summary>
    public bool IsStreamed => streamed is not null;

    private ImageDataset(ImageDataset original, int channels, int height, int width)
    {
        this.original = original;
        HasLabels = original.HasLabels;
        Source = original.Source;
        Pixels = [];
        Labels = original.Labels;
        Channels = channels;
        Height = height;
        Width = width;
        Classes = original.Classes;
    }

    /// <summary>
    /// This dataset as a model with input [channels, height, width] reads it (docs/method.md §10): images scaled to
    /// cover the input (bilinear when enlarging, averaging the covered pixels when shrinking) and centre-cropped; one
    /// grey channel repeated for an RGB model, RGB turned to luminance for a grey one. Resampled batch by batch, never
    /// held at the new size. Returns this dataset when it already fits; <paramref name="description"/> says what was done.
    /// </summary>
    public ImageDataset FitTo(int channels, int height, int width, out string? description)
    {
        description = null;
        if (channels == Channels && height == Height && width == Width) return this;
        if (!(channels == Channels || (Channels == 1 && channels == 3) || (Channels == 3 && channels == 1)))
            throw new DataFormatException($"{Source}: images have {Channels} channels but the model reads {channels}; expected 1 or 3 on either side");
        var steps = new List<string>();
        if (height != Height || width != Width) steps.Add($"resized {Height}x{Width} to {height}x{width} (scaled to cover, centre-cropped)");
        if (channels != Channels) steps.Add(Channels == 1 ? "grey repeated to RGB" : "RGB to luminance");
        description = $"{Source}: {string.Join(", ", steps)} to fit the model's input";
        // Streamed images are decoded straight to the model's shape.
        if (streamed is not null) return new ImageDataset(Source, streamed.As(channels, height, width), Labels, Classes) { HasLabels = HasLabels };
        return new ImageDataset(this, channels, height, width);
    }

    /// <summary>The same examples with other labels (one per example, in 0..<paramref name="classes"/> - 1): the pixels
    /// are shared, not copied.</summary>
    public ImageDataset WithLabels(int[] labels, int classes)
    {
        if (labels.Length != Count)
            throw new ArgumentException($"{labels.Length} labels for {Count} examples", nameof(labels));
        if (streamed is not null) return new ImageDataset(Source, streamed, labels, classes);
        if (original is not null) return new ImageDataset(original.WithLabels(labels, classes), Channels, Height, Width);
        return new ImageDataset(Source, floats is null ? Pixels : null, floats, labels, Channels, Height, Width, classes) { Fields = Fields };
    }

    /// <summary>Whether the examples carry labels; without them (an npz without y: unlabelled traffic) the labels are
    /// placeholders and lesions are scored against the model's own predictions.</summary>
    public bool HasLabels { get; private init; } = true;

    /// <summary>The same examples marked as carrying no labels (their labels are placeholders).</summary>
    public ImageDataset Unlabelled()
    {
        if (streamed is not null) return new ImageDataset(Source, streamed, new int[Count], 1) { HasLabels = false };
        if (original is not null) return new ImageDataset(original.Unlabelled(), Channels, Height, Width);
        return new ImageDataset(Source, floats is null ? Pixels : null, floats, new int[Count], Channels, Height, Width, 1) { HasLabels = false, Fields = Fields };
    }

    /// <summary>
    /// <paramref name="count"/> examples drawn without replacement with <paramref name="seed"/>, kept in their original
    /// order (a first look at a large test split); this dataset itself when it has no more than that.
    /// </summary>
    public ImageDataset Draw(int count, int seed)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), $"{count} examples; expected at least 1");
        if (count >= Count) return this;
        // The first count places of a seeded Fisher-Yates shuffle.
        var order = Enumerable.Range(0, Count).ToArray();
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            int j = rng.Next(i, Count);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var chosen = order[..count].Order().ToArray();
        if (streamed is not null)
            return new ImageDataset(Source, streamed.Subset(chosen), chosen.Select(i => Labels[i]).ToArray(), Classes) { HasLabels = HasLabels };
        if (original is not null)
        {
            var drawn = original.Draw(count, seed);
            return new ImageDataset(drawn, Channels, Height, Width);
        }
        int size = ExampleSize;
        var labels = chosen.Select(i => Labels[i]).ToArray();
        if (floats is not null)
        {
            var values = new float[(long)count * size];
            for (int j = 0; j < count; j++) Array.Copy(floats, (long)chosen[j] * size, values, (long)j * size, size);
            int perExample = PositionLabels is null ? 0 : PositionLabels.Length / Count;
            var positionLabels = PositionLabels is null ? null
                : chosen.SelectMany(i => PositionLabels.AsSpan(i * perExample, perExample).ToArray()).ToArray();
            return new ImageDataset(Source, null, values, labels, Channels, Height, Width, Classes)
                { HasLabels = HasLabels, Fields = Fields, PositionLabels = positionLabels };
        }
        var pixels = new byte[(long)count * size];
        for (int j = 0; j < count; j++) Array.Copy(Pixels, (long)chosen[j] * size, pixels, (long)j * size, size);
        return new ImageDataset(Source, pixels, null, labels, Channels, Height, Width, Classes) { HasLabels = HasLabels };
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
        if (original is not null)
        {
            FillFitted(start, count, destination, preprocessing);
            return;
        }
        int size = ExampleSize;
        if (streamed is not null)
        {
            var bytes = new byte[count * size];
            streamed.Read(start, count, bytes);
            Preprocess<byte>(bytes, count, destination, preprocessing);
        }
        else if (floats is not null)
            // Arrays of numbers are used as they are: preprocessing describes how 8-bit pixels become the model's values.
            floats.AsSpan(start * size, count * size).CopyTo(destination);
        else
            Preprocess<byte>(Pixels.AsSpan(start * size, count * size), count, destination, preprocessing);
    }

    /// <summary>Planar examples in the pixel domain (bytes, or floats of an npz) as the model's floats (<see cref="Preprocessing"/>).</summary>
    private void Preprocess<T>(ReadOnlySpan<T> source, int count, Span<float> destination, Preprocessing preprocessing)
        where T : unmanaged, System.Numerics.INumberBase<T>
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
        for (int e = 0; e < count; e++)
            for (int c = 0; c < Channels; c++)
            {
                int from = e * size + c * plane, to = Target(from, c);
                float gain = scale[Order(c)], shift = offset[Order(c)];
                var input = source.Slice(from, plane);
                var output = destination.Slice(to, plane);
                for (int i = 0; i < plane; i++) output[i] = float.CreateTruncating(input[i]) * gain + shift;
            }
    }

    /// <summary>Preprocessed examples of the original dataset resampled to this one's size (see <see cref="FitTo"/>).</summary>
    private void FillFitted(int start, int count, Span<float> destination, Preprocessing preprocessing)
    {
        var source = original!;
        int sc = source.Channels, sh = source.Height, sw = source.Width, plane = Height * Width;
        var raw = new float[source.ExampleSize];
        // The original's pixels before preprocessing: identity scale and no offset, so that resampling mixes raw pixels.
        var identity = new Preprocessing(1, [0], [1], false);
        // Scale so the image covers the input, then crop the centre: output pixel (y, x) samples source point
        // ((y + 0.5) / s - 0.5 + oy, (x + 0.5) / s - 0.5 + ox) in pixel-centre coordinates.
        double scale = Math.Max(Height / (double)sh, Width / (double)sw);
        double oy = (sh - Height / scale) / 2, ox = (sw - Width / scale) / 2;
        var fitted = new float[Channels * plane];
        var channelScale = new float[Channels];
        var channelOffset = new float[Channels];
        bool swap = preprocessing.Bgr && Channels == 3;
        for (int c = 0; c < Channels; c++)
        {
            double mean = preprocessing.MeanFor(c, Channels), std = preprocessing.StdFor(c, Channels);
            channelScale[c] = (float)(preprocessing.Scale / std);
            channelOffset[c] = (float)(-mean / std);
        }
        for (int e = 0; e < count; e++)
        {
            source.FillBatch(start + e, 1, raw, identity);
            for (int c = 0; c < Channels; c++)
                for (int y = 0; y < Height; y++)
                    for (int x = 0; x < Width; x++)
                    {
                        double value = Channels == sc ? Sample(raw, c, y, x)
                            : sc == 1 ? Sample(raw, 0, y, x)
                            : 0.299 * Sample(raw, 0, y, x) + 0.587 * Sample(raw, 1, y, x) + 0.114 * Sample(raw, 2, y, x);
                        fitted[(c * Height + y) * Width + x] = (float)value;
                    }
            var target = destination.Slice(e * Channels * plane, Channels * plane);
            for (int c = 0; c < Channels; c++)
            {
                int order = swap ? 2 - c : c;
                for (int i = 0; i < plane; i++)
                    target[order * plane + i] = fitted[c * plane + i] * channelScale[order] + channelOffset[order];
            }
        }

        double Sample(float[] image, int channel, int y, int x)
        {
            // Footprint of the output pixel in source coordinates; enlarging samples bilinearly, shrinking averages.
            double y0 = y / scale + oy, y1 = (y + 1) / scale + oy, x0 = x / scale + ox, x1 = (x + 1) / scale + ox;
            var span = image.AsSpan(channel * sh * sw, sh * sw);
            if (scale >= 1)
                return Bilinear(span, (y0 + y1) / 2 - 0.5, (x0 + x1) / 2 - 0.5);
            double sum = 0, area = 0;
            for (int r = (int)Math.Floor(y0); r < (int)Math.Ceiling(y1); r++)
                for (int q = (int)Math.Floor(x0); q < (int)Math.Ceiling(x1); q++)
                {
                    double wy = Math.Min(y1, r + 1) - Math.Max(y0, r), wx = Math.Min(x1, q + 1) - Math.Max(x0, q);
                    if (wy <= 0 || wx <= 0) continue;
                    sum += wy * wx * span[Math.Clamp(r, 0, sh - 1) * sw + Math.Clamp(q, 0, sw - 1)];
                    area += wy * wx;
                }
            return sum / area;
        }

        double Bilinear(ReadOnlySpan<float> span, double py, double px)
        {
            py = Math.Clamp(py, 0, sh - 1);
            px = Math.Clamp(px, 0, sw - 1);
            int r0 = (int)Math.Floor(py), q0 = (int)Math.Floor(px);
            int r1 = Math.Min(r0 + 1, sh - 1), q1 = Math.Min(q0 + 1, sw - 1);
            double fy = py - r0, fx = px - q0;
            return (1 - fy) * ((1 - fx) * span[r0 * sw + q0] + fx * span[r0 * sw + q1])
                + fy * ((1 - fx) * span[r1 * sw + q0] + fx * span[r1 * sw + q1]);
        }
    }
}
