using Analyzer.Core.Visualisation;

namespace Analyzer.Core.Tests.Visualisation;

public class CorrelationImagesTests
{
    [Fact]
    public void Each_image_holds_the_units_spearman_correlations_with_the_pixels()
    {
        // Five examples, three pixels, one unit u = 1..5. Pixel 0 = 10u (rho 1), pixel 1 = (2, 1, 4, 3, 5): no ties, rank
        // differences (-1, 1, -1, 1, 0), rho = 1 - 6·4 / (5·24) = 0.8; pixel 2 constant (0).
        float[] unit = [1, 2, 3, 4, 5];
        float[] pixels = [10, 2, 7, 20, 1, 7, 30, 4, 7, 40, 3, 7, 50, 5, 7];
        var images = new CorrelationImages(pixels, 3, unit, 1, 5);
        Assert.Equal(1, images.Of(0)[0], 12);
        Assert.Equal(0.8, images.Of(0)[1], 12);
        Assert.Equal(0, images.Of(0)[2]);
    }

    [Fact]
    public void Aligned_images_flip_units_that_see_the_same_feature_negated()
    {
        // Unit images v, -v, v: without alignment the mean is v/3; aligned, every unit counts with the same sign.
        float[] pixels = [1, 5, 2, 4, 3, 3, 4, 2, 5, 1, 6, 0];
        float[] units = new float[6 * 3];
        for (int e = 0; e < 6; e++)
        {
            units[e * 3] = e;
            units[e * 3 + 1] = -e;
            units[e * 3 + 2] = e * e;
        }
        var images = new CorrelationImages(pixels, 2, units, 3, 6);
        var mean = images.Aligned([0, 1, 2], seed: 0);
        // Pixel 0 rises with e, pixel 1 falls: |rho| = 1 for every unit.
        Assert.Equal(1, Math.Abs(mean[0]), 12);
        Assert.Equal(1, Math.Abs(mean[1]), 12);
        Assert.Equal(-Math.Sign(mean[0]), Math.Sign(mean[1]));
    }

    [Fact]
    public void Lateralisation_is_the_imbalance_of_the_two_halves()
    {
        // 2 x 4 images; the halves are columns 0-1 and 2-3.
        Assert.Equal(1, CorrelationImages.Lateralisation([1, -1, 0, 0, 2, 0, 0, 0], 2, 4));
        Assert.Equal(1, CorrelationImages.Lateralisation([0, 0, 1, -1, 0, 0, 0, 2], 2, 4));
        Assert.Equal(0, CorrelationImages.Lateralisation([1, 0, 0, -1, 0, 2, 2, 0], 2, 4));
        // Left 3, right 1: (3 - 1) / 4.
        Assert.Equal(0.5, CorrelationImages.Lateralisation([1, 1, 0, 1, 1, 0, 0, 0], 2, 4), 12);
        Assert.Equal(0, CorrelationImages.Lateralisation(new double[8], 2, 4));
    }
}
