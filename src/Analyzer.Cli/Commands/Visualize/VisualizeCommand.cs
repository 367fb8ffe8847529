using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Pipeline;
using Analyzer.Core.Visualisation;

namespace Analyzer.Cli.Commands.Visualize;

/// <summary>`analyzer visualize MODEL --sets FILE --out DIR`: feature visualisations of given unit sets.</summary>
public static class VisualizeCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var data = new DataOptions();
        var sets = new Option<string>("--sets") { Description = "JSON file {\"sets\": [{\"id\", \"layer\", \"units\": [...]}]}; layer is a node set name (see inspect)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Directory for scores.json and one PNG per set", Required = true };
        var steps = new Option<int>("--steps") { Description = $"Adam steps per image (docs/method.md §6: {VisualisationOptions.DefaultSteps})", DefaultValueFactory = _ => VisualisationOptions.DefaultSteps };
        var budget = SharedOptions.MemoryBudget();
        var seed = SharedOptions.Seed();
        var device = SharedOptions.Device();
        var threads = SharedOptions.Threads();
        var inputShape = SharedOptions.InputShape();
        var command = new Command("visualize",
            "Optimise an image per unit set that maximises the sum of |pre-activation| of its units (docs/method.md §6: sigmoid " +
            "pixels, Adam lr 0.05, random jitter and scale each step); write each image as a PNG in the model's pixel " +
            "domain and scores.json with its vis-score and softmax entropy")
        {
            model, sets, output, steps, budget, inputShape, seed, device, threads,
        };
        foreach (var option in data.All.Skip(1)) command.Options.Add(option);
        command.SetAction(parse => CommandRunner.Run(parse, (stdout, stderr) => VisualizeHandler.Run(new VisualisePlan(
            parse.GetValue(model)!, parse.GetValue(sets)!, data.Preprocessing(parse), parse.GetValue(steps), parse.GetValue(seed),
            SharedOptions.DeviceOf(parse.GetValue(device)), parse.GetValue(threads), SharedOptions.MemoryBudgetOf(parse.GetValue(budget)),
            SharedOptions.InputShapeOf(parse.GetValue(inputShape))),
            parse.GetValue(output)!, stdout, stderr), threads));
        return command;
    }
}
