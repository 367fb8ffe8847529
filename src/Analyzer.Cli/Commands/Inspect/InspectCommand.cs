using Analyzer.Cli.Options;
using System.CommandLine;

namespace Analyzer.Cli.Commands.Inspect;

/// <summary>`analyzer inspect MODEL [--json]`: layers, units, node sets and what is analysable.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of tables" };
        var inputShape = SharedOptions.InputShape();
        var command = new Command("inspect", "Show a model's layers, their units, the node sets and which are analysed")
        {
            model, json, inputShape,
        };
        command.SetAction(parse => CommandRunner.Run(parse, (output, error) =>
            InspectHandler.Run(parse.GetValue(model)!, parse.GetValue(json), output, SharedOptions.InputShapeOf(parse.GetValue(inputShape)))));
        return command;
    }
}
