namespace Analyzer.Core.Errors;

/// <summary>
/// Something was asked for that cannot be done (the command line's exit code 2). <see cref="Setting"/> names what was
/// asked in the library's words (a property of the plan, such as <c>MaxSubclusters</c>); the command line shows its
/// own flag there instead (<c>--max-subclusters</c>). The message is "Setting: Problem".
/// </summary>
public sealed class UsageException : Exception
{
    public UsageException(string setting, string problem) : base($"{setting}: {problem}")
    {
        Setting = setting;
        Problem = problem;
    }

    /// <summary>A problem that belongs to no one setting.</summary>
    public UsageException(string problem) : base(problem) => Problem = problem;

    /// <summary>The plan property at fault, or null.</summary>
    public string? Setting { get; }

    /// <summary>What is wrong with it and what would work.</summary>
    public string Problem { get; }
}
