namespace Analyzer.Core.Errors;

/// <summary>
/// A dataset, manifest or results file cannot be used: missing, corrupt, or not fitting the model. One line naming the
/// file and the problem; the command line maps it to exit code 3. <see cref="Setting"/>, when set, names the plan
/// property whose value is at fault (the data spec), as <see cref="UsageException.Setting"/> does.
/// </summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string message, Exception? inner = null) : base(message, inner) => Problem = message;

    public DataFormatException(string setting, string problem, Exception? inner) : base($"{setting}: {problem}", inner)
    {
        Setting = setting;
        Problem = problem;
    }

    public string? Setting { get; }

    public string Problem { get; }
}
