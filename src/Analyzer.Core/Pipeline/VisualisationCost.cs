namespace Analyzer.Core.Pipeline;

/// <summary>What visualising at one pre-activation point costs: <see cref="SetupSeconds"/> each time its gradient
/// graph is built, <see cref="SecondsPerBatch"/> for each batch of up to <see cref="Rows"/> images whatever its steps
/// (starting noise, evaluation), <see cref="SecondsPerImageStep"/> for one image and one Adam step.</summary>
public sealed record VisualisationCost(double SetupSeconds, int Rows, double SecondsPerBatch, double SecondsPerImageStep)
{
    public double Seconds(int images, int steps) => images == 0 ? 0
        : SetupSeconds + Math.Ceiling(images / (double)Rows) * SecondsPerBatch + (double)images * steps * SecondsPerImageStep;
}
