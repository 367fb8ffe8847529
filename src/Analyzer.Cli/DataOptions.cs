using System.CommandLine;
using Analyzer.Core.Datasets;

namespace Analyzer.Cli;

/// <summary>The data options shared by verbs that run the model: --data and the preprocessing the model expects.</summary>
public sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "Dataset: mnist[:train|test], fashion-mnist[:train|test], idx:IMAGES,LABELS, npz:FILE (arrays x, y), folder:DIR (one subfolder per class), cifar10:DIR[:train|test]",
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

    public IEnumerable<Option> All => [Data, Scale, Mean, Std, ChannelOrder];

    public Preprocessing Preprocessing(ParseResult parse) => new(
        parse.GetValue(Scale),
        Core.Datasets.Preprocessing.ParseList(parse.GetValue(Mean)!, "--mean"),
        Core.Datasets.Preprocessing.ParseList(parse.GetValue(Std)!, "--std"),
        parse.GetValue(ChannelOrder) == "bgr");
}
