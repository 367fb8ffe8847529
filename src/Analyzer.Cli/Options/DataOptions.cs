using System.CommandLine;
using Analyzer.Core.Datasets;

namespace Analyzer.Cli.Options;

/// <summary>The data options shared by verbs that run the model: --data and the preprocessing the model expects.</summary>
public sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "Dataset: mnist[:train|test], fashion-mnist[:train|test], halves-mnist[:train|test] (two MNIST digits side by side, label (a + b) mod 10), idx:IMAGES,LABELS, npz:FILE (arrays x, y), folder:DIR (one subfolder per class, or folder:DIR,LABELS with lines 'PATH CLASS'; images of any size, streamed), cifar10:DIR[:train|test]",
        DefaultValueFactory = _ => "fashion-mnist",
    };

    public Option<double> Scale { get; } = new("--scale")
    {
        Description = "Multiply 8-bit pixels by this before --mean/--std (the model's expected range)",
        DefaultValueFactory = _ => 1.0 / 255,
    };

    public Option<string> Mean { get; } = new("--mean")
    {
        Description = "Subtract per channel after scaling: one value or one per channel, comma-separated",
        DefaultValueFactory = _ => "0",
    };

    public Option<string> Std { get; } = new("--std")
    {
        Description = "Divide per channel after subtracting the mean: one value or one per channel",
        DefaultValueFactory = _ => "1",
    };

    public Option<string> ChannelOrder { get; } = new Option<string>("--channel-order")
    {
        Description = "Channel order the model expects for colour images: rgb or bgr",
        DefaultValueFactory = _ => "rgb",
    }.AcceptOnlyFromAmong("rgb", "bgr");

    public Option<string> Preset { get; } = new Option<string>("--preset")
    {
        Description = "Named preprocessing: torchvision (ImageNet evaluation: shorter side resized to 256 with Pillow's bilinear filter, " +
                      "centre 224x224 crop, pixels / 255, mean 0.485,0.456,0.406, std 0.229,0.224,0.225); --scale, --mean and --std given " +
                      "with it override its values; none: image files are scaled to cover the first image's size (then the model's input) and centre-cropped",
        DefaultValueFactory = _ => "none",
    }.AcceptOnlyFromAmong("none", "torchvision");

    public IEnumerable<Option> All => [Data, Scale, Mean, Std, ChannelOrder, Preset];

    /// <summary>The preprocessing the options ask for, checked (<see cref="Core.Datasets.Preprocessing.Validate"/>).</summary>
    public Preprocessing Preprocessing(ParseResult parse)
    {
        var preprocessing = Parse(parse);
        preprocessing.Validate();
        return preprocessing;
    }

    private Preprocessing Parse(ParseResult parse)
    {
        var preset = parse.GetValue(Preset) == "torchvision" ? Core.Datasets.Preprocessing.TorchvisionEvaluation : null;
        bool Given(Option option) => parse.GetResult(option) is { Implicit: false };
        return new Preprocessing(
            preset is not null && !Given(Scale) ? preset.Scale : parse.GetValue(Scale),
            preset is not null && !Given(Mean) ? preset.Mean : Core.Datasets.Preprocessing.ParseList(parse.GetValue(Mean)!, nameof(Core.Datasets.Preprocessing.Mean)),
            preset is not null && !Given(Std) ? preset.Std : Core.Datasets.Preprocessing.ParseList(parse.GetValue(Std)!, nameof(Core.Datasets.Preprocessing.Std)),
            parse.GetValue(ChannelOrder) == "bgr")
        {
            Geometry = preset?.Geometry ?? ImageGeometry.Cover,
        };
    }
}
