using Analyzer.Core.Statistics;
using Analyzer.Core.Errors;

namespace Analyzer.Core.Datasets;

/// <summary>
/// halves-MNIST (docs/method.md §8): each example is two digits of one MNIST split side by side, each squeezed to
/// 28 x 14 by averaging horizontal pixel pairs, with label (a + b) mod 10. A network must look at both halves, so its
/// first-layer units can specialise to one side (the lateralisation measure). The pairs are drawn with replacement with
/// the run's seed: 60 000 from the training split, 10 000 from the test split.
/// </summary>
public static class HalvesMnist
{
    public static int CountOf(DatasetSplit split) => split == DatasetSplit.Train ? 60_000 : 10_000;

    public static ImageDataset Build(ImageDataset digits, int count, int seed, DatasetSplit split)
    {
        if (digits.Channels != 1 || digits.Height != 28 || digits.Width != 28 || digits.Classes > 10)
            throw new DataFormatException($"{digits.Source}: halves-MNIST needs 28x28 one-channel digits; found {digits.Channels}x{digits.Height}x{digits.Width}");
        var rng = new Random(StableSeed.Of(seed, $"halves-mnist/{split}", -1, -1));
        var pixels = new byte[count * 28 * 28];
        var labels = new int[count];
        var source = digits.Pixels;
        for (int e = 0; e < count; e++)
        {
            int a = rng.Next(digits.Count), b = rng.Next(digits.Count);
            labels[e] = (digits.Labels[a] + digits.Labels[b]) % 10;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 14; x++)
                {
                    int row = y * 28 + 2 * x;
                    pixels[e * 784 + y * 28 + x] = (byte)((source[a * 784 + row] + source[a * 784 + row + 1] + 1) / 2);
                    pixels[e * 784 + y * 28 + 14 + x] = (byte)((source[b * 784 + row] + source[b * 784 + row + 1] + 1) / 2);
                }
        }
        return new ImageDataset($"halves-mnist:{(split == DatasetSplit.Train ? "train" : "test")}", pixels, labels, 1, 28, 28, 10);
    }
}
