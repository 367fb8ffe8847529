using System.CommandLine;
using Analyzer.Core.Pipeline;
using Analyzer.Cli.Options;

namespace Analyzer.Cli.Commands.Lesion;

/// <summary>`analyzer lesion MODEL --data SPEC --sets FILE --out FILE`.</summary>
public static class LesionCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var data = new DataOptions();
        var sets = new Option<string>("--sets") { Description = "JSON file {\"sets\": [{\"id\", \"layer\", \"units\": [...]}]}; layer is a node set name (see inspect)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The lesion JSON file to write", Required = true };
        var budget = SharedOptions.MemoryBudget();
        var seed = SharedOptions.Seed();
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var examples = SharedOptions.Examples();
        var labels = SharedOptions.Labels();
        var inputShape = SharedOptions.InputShape();
        var command = new Command("lesion",
            "Remove given sets of units (their outputs read as zero, docs/method.md §6) and report test accuracy, overall and per class")
        {
            model, sets, output, budget, examples, labels, inputShape, seed, device, threads,
        };
        foreach (var option in data.All) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => LesionHandler.Run(new LesionPlan(
            parse.GetValue(model)!, parse.GetValue(data.Data)!, parse.GetValue(sets)!, data.Preprocessing(parse), parse.GetValue(seed),
            SharedOptions.DeviceOf(parse.GetValue(device)), parse.GetValue(threads), SharedOptions.MemoryBudgetOf(parse.GetValue(budget)),
            parse.GetValue(examples), SharedOptions.LabelsOf(parse.GetValue(labels)), SharedOptions.InputShapeOf(parse.GetValue(inputShape))),
            parse.GetValue(output)!, stdout, stderr), threads));
        return command;
    }
}
