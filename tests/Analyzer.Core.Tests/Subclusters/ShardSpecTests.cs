using Analyzer.Core.Subclusters;
using Analyzer.Core.Pipeline;

namespace Analyzer.Core.Tests.Subclusters;

public class ShardSpecTests
{
    [Fact]
    public void Parses_I_of_N_counted_from_zero()
    {
        Assert.Equal(new ShardSpec(0, 4), ShardSpec.Parse("0/4"));
        Assert.Equal(new ShardSpec(3, 4), ShardSpec.Parse("3/4"));
        Assert.Equal("2/5", ShardSpec.Parse("2/5").ToString());
    }

    [Theory]
    [InlineData("weights-network", 4, 37)]
    [InlineData("activations-layer", 3, 2)]
    [InlineData("weights-layer", 7, 100)]
    public void Every_position_belongs_to_exactly_one_shard_and_shares_differ_by_at_most_one(string key, int count, int positions)
    {
        var shards = Enumerable.Range(0, count).Select(i => new ShardSpec(i, count)).ToList();
        var owners = Enumerable.Range(0, positions).Select(p => shards.Where(s => s.Owns(key, p)).ToList()).ToList();
        Assert.All(owners, o => Assert.Single(o));
        var sizes = shards.Select(s => Enumerable.Range(0, positions).Count(p => s.Owns(key, p))).ToList();
        Assert.True(sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
    }
}
