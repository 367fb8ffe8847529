namespace Analyzer.Core.Errors;

/// <summary>
/// A dataset cannot be used: missing, corrupt, or not fitting the model. One line naming the file and the problem; the
/// command line maps it to exit code 3.
/// </summary>
public sealed class DataFormatException(string message, Exception? inner = null) : Exception(message, inner);
