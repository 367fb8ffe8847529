namespace Analyzer.Onnx;

/// <summary>
/// The model file cannot be used: unreadable, not ONNX, inconsistent or using an unsupported operator. The message is
/// one line naming the file, the place and the problem; the command line maps it to exit code 3.
/// </summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException(string message, Exception? inner = null) : base(message, inner) { }
}
