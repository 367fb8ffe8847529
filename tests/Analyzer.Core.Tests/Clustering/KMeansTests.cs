using Analyzer.Core.Clustering;

namespace Analyzer.Core.Tests.Clustering;

public class KMeansTests
{
    [Fact]
    public void Separated_blobs_are_found_with_their_exact_inertia()
    {
        // Points at (10c, 0) +- 1 on the second axis: the optimal inertia is one per point.
        int k = 4, per = 10;
        var points = new List<double>();
        for (int c = 0; c < k; c++)
            for (int i = 0; i < per; i++)
                points.AddRange([10.0 * c, i % 2 == 0 ? 1 : -1]);
        var result = KMeans.Fit(points.ToArray(), k * per, 2, k, restarts: 5, maxIterations: 100, seed: 0);
        Assert.Equal(k * per, result.Inertia, 9);
        for (int c = 0; c < k; c++)
            Assert.Single(result.Labels.Skip(c * per).Take(per).Distinct());
        Assert.Equal(k, result.Labels.Distinct().Count());
    }
}
