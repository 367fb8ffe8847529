using Analyzer.Core.Files;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests;

public class AtomicFileTests
{
    [Fact]
    public void A_write_that_fails_leaves_the_old_file_and_no_temporary()
    {
        string dir = TempDirectory.Create(), path = Path.Combine(dir, "results.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new InvalidOperationException("killed mid-write");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["results.json"], Directory.GetFiles(dir).Select(Path.GetFileName));
        AtomicFile.WriteAllText(path, "new");
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir));
    }

    [Fact]
    public void Folders_are_made_as_needed()
    {
        string path = Path.Combine(TempDirectory.Create(), "a", "b", "c.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }
}
