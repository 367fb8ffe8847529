using System.CommandLine;
using Analyzer.Core.Datasets;

namespace Analyzer.Cli;

/// <summary>The data options shared by verbs that run the model: --data and the preprocessing the model expects.</summary>
public sealed class DataOptions
{
    public Option<string> Data { get; } = new("--data")
    {
        Description = "Dataset: mnist[:train|test], fashion-mnist[:train|test] or idx:IMAGES,LABELS",
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

    public IEnumerable<Option> All => [Data, Scale, Mean, Std];

    public Preprocessing Preprocessing(ParseResult parse) => new(
        parse.GetValue(Scale),
        Core.Datasets.Preprocessing.ParseList(parse.GetValue(Mean)!, "--mean"),
        Core.Datasets.Preprocessing.ParseList(parse.GetValue(Std)!, "--std"));
}
