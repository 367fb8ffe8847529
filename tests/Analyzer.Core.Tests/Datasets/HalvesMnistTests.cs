using Analyzer.Core.Datasets;

namespace Analyzer.Core.Tests.Datasets;

public class HalvesMnistTests
{
    /// <summary>Two "digits": digit 0 has column x = 10·x (rows alike), digit 1 is 200 everywhere but 201 in column 0.</summary>
    private static ImageDataset TwoDigits()
    {
        var pixels = new byte[2 * 784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                pixels[y * 28 + x] = (byte)(9 * x);
                pixels[784 + y * 28 + x] = (byte)(x == 0 ? 201 : 200);
            }
        return new ImageDataset("digits", pixels, [3, 9], 1, 28, 28, 10);
    }

    [Fact]
    public void Each_half_is_a_digit_squeezed_by_pair_averages_and_the_label_is_the_sum_mod_10()
    {
        var halves = HalvesMnist.Build(TwoDigits(), 200, seed: 4, DatasetSplit.Test);
        Assert.Equal(200, halves.Count);
        Assert.Equal((1, 28, 28), (halves.Channels, halves.Height, halves.Width));
        var seen = new HashSet<(int, int)>();
        for (int e = 0; e < halves.Count; e++)
        {
            var image = halves.Pixels.AsSpan(e * 784, 784).ToArray();
            // Digit 0's pair (9·2x, 9·(2x+1)) averages, rounded half up, to 18x + 5 (4.5 rounds up); digit 1's first pair
            // (201, 200) to 201 (200.5 up), the rest 200.
            int Side(int offset) => image[offset] == 5 ? 0 : image[offset] == 201 ? 1 : -1;
            int left = Side(0), right = Side(14);
            Assert.NotEqual(-1, left);
            Assert.NotEqual(-1, right);
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 14; x++)
                {
                    Assert.Equal(left == 0 ? 18 * x + 5 : x == 0 ? 201 : 200, image[y * 28 + x]);
                    Assert.Equal(right == 0 ? 18 * x + 5 : x == 0 ? 201 : 200, image[y * 28 + 14 + x]);
                }
            int[] digitLabels = [3, 9];
            Assert.Equal((digitLabels[left] + digitLabels[right]) % 10, halves.Labels[e]);
            seen.Add((left, right));
        }
        Assert.Equal(4, seen.Count); // drawn with replacement: all four pairings occur
    }

    [Fact]
    public void Pairs_depend_on_the_seed_and_the_split_only()
    {
        var a = HalvesMnist.Build(TwoDigits(), 50, 1, DatasetSplit.Test);
        var b = HalvesMnist.Build(TwoDigits(), 50, 1, DatasetSplit.Test);
        var c = HalvesMnist.Build(TwoDigits(), 50, 2, DatasetSplit.Test);
        var d = HalvesMnist.Build(TwoDigits(), 50, 1, DatasetSplit.Train);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.NotEqual(a.Pixels, c.Pixels);
        Assert.NotEqual(a.Pixels, d.Pixels);
    }

    [Fact]
    public void The_named_set_has_the_split_sizes_of_mnist()
    {
        var spec = DatasetSpec.Parse("halves-mnist:test");
        Assert.Equal(("halves-mnist", DatasetSplit.Test), (spec.Kind, spec.Split!.Value));
        Assert.Equal(60_000, HalvesMnist.CountOf(DatasetSplit.Train));
        Assert.Equal(10_000, HalvesMnist.CountOf(DatasetSplit.Test));
    }
}
