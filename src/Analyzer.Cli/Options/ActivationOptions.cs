using System.CommandLine;
using Analyzer.Core.Pipeline;

namespace Analyzer.Cli.Options;

/// <summary>The options a verb that may build an activation graph needs: the data options, --samples,
/// --memory-budget and --device, read back as one <see cref="ActivationRequest"/>.</summary>
public sealed class ActivationOptions
{
    public DataOptions Data { get; } = new();
    public Option<int> Samples { get; } = SharedOptions.Samples();
    public Option<int> MemoryBudget { get; } = SharedOptions.MemoryBudget();
    public Option<string> Device { get; } = SharedOptions.Device();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Samples, MemoryBudget, Device }.Concat(Data.All))
            command.Options.Add(option);
    }

    public ActivationRequest Request(ParseResult parse) => new(parse.GetValue(Data.Data)!, Data.Preprocessing(parse),
        parse.GetValue(Samples), SharedOptions.DeviceOf(parse.GetValue(Device)), SharedOptions.MemoryBudgetOf(parse.GetValue(MemoryBudget)));
}
