using Analyzer.Core.Pipeline;
using System.CommandLine;

namespace Analyzer.Cli;

/// <summary>The options a verb that may build an activation graph needs: the data options, --samples,
/// --memory-budget and --device, read back as one <see cref="ActivationRequest"/>.</summary>
public sealed class ActivationOptions
{
    public DataOptions Data { get; } = new();
    public Option<int> Samples { get; } = CommonOptions.Samples();
    public Option<int> MemoryBudget { get; } = new("--memory-budget")
    {
        Description = "MiB that one batch of captured activations may take",
        DefaultValueFactory = _ => 256,
    };
    public Option<string> Device { get; } = CommonOptions.Device();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Samples, MemoryBudget, Device }.Concat(Data.All))
            command.Options.Add(option);
    }

    public ActivationRequest Request(ParseResult parse) => new(parse.GetValue(Data.Data)!, Data.Preprocessing(parse),
        parse.GetValue(Samples), DeviceChoice.Parse(parse.GetValue(Device)), parse.GetValue(MemoryBudget));
}
