using Analyzer.Cli.Options;
using System.CommandLine;
using Analyzer.Core.Datasets;

namespace Analyzer.Cli.Tests.Commands;

public class DataOptionsTests
{
    private static Preprocessing Parse(params string[] args)
    {
        var options = new DataOptions();
        var command = new RootCommand();
        foreach (var option in options.All) command.Options.Add(option);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return options.Preprocessing(parse);
    }

    [Fact]
    public void The_torchvision_preset_sets_the_evaluation_crop_and_imagenet_statistics()
    {
        var preset = Parse("--preset", "torchvision");
        Assert.Equal(ImageGeometry.Evaluation, preset.Geometry);
        Assert.Equal((256, 224), (preset.Geometry.Shorter, preset.Geometry.Crop));
        Assert.Equal([0.485, 0.456, 0.406], preset.Mean);
        Assert.Equal([0.229, 0.224, 0.225], preset.Std);
        Assert.Equal(1.0 / 255, preset.Scale);
    }

    [Fact]
    public void Explicit_statistics_override_the_preset_and_no_preset_keeps_the_defaults()
    {
        var overridden = Parse("--preset", "torchvision", "--mean", "0.5");
        Assert.Equal([0.5], overridden.Mean);
        Assert.Equal([0.229, 0.224, 0.225], overridden.Std);
        Assert.Equal(ImageGeometry.Evaluation, overridden.Geometry);
        var plain = Parse();
        Assert.Equal(ImageGeometry.Cover, plain.Geometry);
        Assert.Equal([0.0], plain.Mean);
        Assert.Equal([1.0], plain.Std);
    }
}
