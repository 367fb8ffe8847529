using System.CommandLine;
using Analyzer.Cli.Options;
using Analyzer.Core.Errors;
using Analyzer.Core.Memory;
using Analyzer.Kernels;
using Analyzer.Onnx;
using Analyzer.Onnx.Inference;

namespace Analyzer.Cli;

/// <summary>
/// Runs a verb's handler and turns failures into one line and an exit code: bad model or data 3, bad usage 2, a bug 1
/// (with the stack trace only when ANALYZER_DEBUG is set). Core names a setting by its property; the line names the
/// flag that sets it (<see cref="SettingFlags"/>).
/// </summary>
public static class CommandRunner
{
    public static int Run(ParseResult parse, Func<TextWriter, TextWriter, int> handler, Option<int>? threads = null)
    {
        var output = parse.InvocationConfiguration.Output;
        var error = parse.InvocationConfiguration.Error;
        try
        {
            if (threads is not null)
                Parallelism.MaxThreads = parse.GetValue(threads);
            return handler(output, error);
        }
        catch (DataFormatException e)
        {
            error.WriteLine($"error: {Line(e.Setting, e.Problem, e.Message)}");
            return ExitCodes.BadInput;
        }
        catch (Exception e) when (e is ModelFormatException or MemoryLimitException or InferenceException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {Line(e.Setting, e.Problem, e.Message)}");
            return ExitCodes.Usage;
        }
        catch (Exception e)
        {
            error.WriteLine($"internal error: {e.GetType().Name}: {e.Message} (set ANALYZER_DEBUG=1 for details; please report it)");
            if (Environment.GetEnvironmentVariable("ANALYZER_DEBUG") is { Length: > 0 })
                error.WriteLine(e);
            return ExitCodes.Bug;
        }
    }

    private static string Line(string? setting, string problem, string message) =>
        setting is null ? message : $"{SettingFlags.Of(setting)}: {problem}";

    /// <summary>A path as messages show it: relative to the current directory when inside it.</summary>
    public static string Display(string path) => Core.Files.DisplayPath.Of(path);
}
