using Analyzer.Core.Errors;
using Analyzer.Core.Datasets;
using Analyzer.TestSupport;
using StbImageSharp;

namespace Analyzer.Core.Tests.Datasets;

public class StreamedFolderTests
{
    private static string GoldenPath(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    private static ImageResult Png(string path) => ImageResult.FromMemory(File.ReadAllBytes(path), ColorComponents.RedGreenBlue);

    [Theory]
    [InlineData(333, 500)]
    [InlineData(517, 301)]
    public void The_torchvision_preset_crops_as_torchvision_does_within_one_level(int width, int height)
    {
        // Golden pixels: tools/golden/torchvision_preset.py (torchvision Resize(256) + CenterCrop(224) on a PIL image).
        var input = Png(GoldenPath($"preset-input-{width}x{height}.png"));
        var expected = Png(GoldenPath($"preset-expected-{width}x{height}.png"));
        Assert.Equal((224, 224), (expected.Width, expected.Height));
        var actual = ImageResampling.ResizeShorterThenCrop(input.Data, width, height, 3, 256, 224);
        Assert.Equal(expected.Data.Length, actual.Length);
        int worst = expected.Data.Zip(actual, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(worst <= 1, $"largest difference from torchvision: {worst} levels");
    }

    [Fact]
    public void A_folder_with_the_preset_gives_the_normalised_crop()
    {
        string dir = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(dir, "only"));
        File.Copy(GoldenPath("preset-input-517x301.png"), Path.Combine(dir, "only", "a.png"));
        var preprocessing = Preprocessing.TorchvisionEvaluation;
        var data = DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir}"), DatasetSplit.Test, preprocessing.Geometry);
        Assert.Equal((1, 3, 224, 224), (data.Count, data.Channels, data.Height, data.Width));
        var batch = new float[3 * 224 * 224];
        data.FillBatch(0, 1, batch, preprocessing);
        var expected = Png(GoldenPath("preset-expected-517x301.png"));
        double[] mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
        for (int c = 0; c < 3; c++)
            for (int p = 0; p < 224 * 224; p += 97)
            {
                double want = (expected.Data[p * 3 + c] / 255.0 - mean[c]) / std[c];
                Assert.True(Math.Abs(batch[c * 224 * 224 + p] - want) <= 1.01 / 255 / std[c], $"channel {c}, pixel {p}: {batch[c * 224 * 224 + p]} vs {want}");
            }
    }

    [Fact]
    public void A_labels_file_names_the_images_of_any_size_streamed_over_several_blocks()
    {
        // 150 solid-colour images (more than two decode blocks), half at 3x2 pixels and half at 6x4, whose cover-resize
        // to the first image's 3x2 keeps the colour exactly; the labels file gives each one's class.
        string dir = TempDirectory.Create();
        var lines = new List<string> { "# file class" };
        int count = StreamedImages.BlockExamples * 2 + 22;
        for (int i = 0; i < count; i++)
        {
            var (w, h) = i % 2 == 0 ? (3, 2) : (6, 4);
            byte shade = (byte)(i % 251);
            File.WriteAllBytes(Path.Combine(dir, $"img{i:D3}.bmp"), ImageFileLoaderTests.Bmp(w, h, (_, _) => (shade, (byte)(255 - shade), 7)));
            lines.Add($"img{i:D3}.bmp {i % 7}");
        }
        string labels = Path.Combine(dir, "labels.txt");
        File.WriteAllLines(labels, lines);
        var data = DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir},{labels}"), DatasetSplit.Test);
        Assert.Equal((count, 3, 2, 3, 7), (data.Count, data.Channels, data.Height, data.Width, data.Classes));
        Assert.Equal(Enumerable.Range(0, count).Select(i => i % 7), data.Labels);
        var identity = new Preprocessing(1, [0.0], [1.0]);
        var batch = new float[count * 18];
        data.FillBatch(0, count, batch, identity);
        for (int i = 0; i < count; i++)
        {
            Assert.All(batch.AsSpan(i * 18, 6).ToArray(), v => Assert.Equal(i % 251, v));
            Assert.All(batch.AsSpan(i * 18 + 6, 6).ToArray(), v => Assert.Equal(255 - i % 251, v));
            Assert.All(batch.AsSpan(i * 18 + 12, 6).ToArray(), v => Assert.Equal(7, v));
        }
        // A seeded draw is streamed too and keeps each image with its label.
        var drawn = data.Draw(10, seed: 4);
        Assert.True(drawn.IsStreamed);
        var few = new float[10 * 18];
        drawn.FillBatch(0, 10, few, identity);
        // Each image's red level is its index (fewer than 251 images): the drawn ones stay in order with their labels.
        var indices = Enumerable.Range(0, 10).Select(j => (int)few[j * 18]).ToArray();
        Assert.Equal(indices.Order(), indices);
        Assert.Equal(10, indices.Distinct().Count());
        Assert.Equal(indices.Select(i => i % 7), drawn.Labels);
    }

    [Fact]
    public void A_bad_labels_line_is_named_with_its_line_number()
    {
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "a.bmp"), ImageFileLoaderTests.Bmp(1, 1, (_, _) => (1, 2, 3)));
        string labels = Path.Combine(dir, "labels.txt");
        File.WriteAllLines(labels, ["a.bmp 1", "b.bmp 2"]);
        var e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir},{labels}"), DatasetSplit.Test));
        Assert.Contains("labels.txt:2", e.Message);
        Assert.Contains("file not found", e.Message);
        File.WriteAllLines(labels, ["a.bmp cat"]);
        e = Assert.Throws<DataFormatException>(() => DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir},{labels}"), DatasetSplit.Test));
        Assert.Contains("labels.txt:1", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_an_image_is_named_when_its_block_is_read()
    {
        string dir = TempDirectory.Create();
        Directory.CreateDirectory(Path.Combine(dir, "a"));
        File.WriteAllBytes(Path.Combine(dir, "a", "1.bmp"), ImageFileLoaderTests.Bmp(2, 2, (_, _) => (1, 2, 3)));
        File.WriteAllBytes(Path.Combine(dir, "a", "2.jpg"), Enumerable.Range(0, 3000).Select(i => (byte)(i * 37 % 251)).ToArray());
        var data = DatasetLoader.Load(DatasetSpec.Parse($"folder:{dir}"), DatasetSplit.Test);
        var e = Assert.Throws<DataFormatException>(() => data.FillBatch(0, 2, new float[2 * data.ExampleSize], new Preprocessing(1, [0.0], [1.0])));
        Assert.Contains("2.jpg: not a readable image", e.Message);
    }
}
