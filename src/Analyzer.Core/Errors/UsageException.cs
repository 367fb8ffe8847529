namespace Analyzer.Core.Errors;

/// <summary>The command line asks for something that cannot be done (exit code 2); the message names the option.</summary>
public sealed class UsageException(string message) : Exception(message);
