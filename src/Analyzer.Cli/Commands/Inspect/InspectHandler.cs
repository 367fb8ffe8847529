using Analyzer.Core.Files;
using Analyzer.Core.Pipeline;
using Analyzer.Onnx;

namespace Analyzer.Cli.Commands.Inspect;

/// <summary>Describes the model (<see cref="Inspection"/>) and prints it as tables or JSON; a model with unknown
/// operators gets its operator table, then the error naming them.</summary>
public static class InspectHandler
{
    public static int Run(string modelPath, bool json, TextWriter output, InputShapes? inputShapes = null)
    {
        var (file, operators) = Inspection.Operators(modelPath, inputShapes);
        try
        {
            var document = Inspection.Describe(modelPath, file, operators);
            if (json)
                output.WriteLine(JsonFiles.Serialize(document));
            else
                InspectTables.Write(document, output);
            return ExitCodes.Success;
        }
        catch (ModelFormatException) when (!json && operators.Any(o => o.Flow == "unknown"))
        {
            // Nothing past the operator list can be known: show it, then say which operators are missing.
            InspectTables.WriteOperators(operators, output);
            throw;
        }
    }
}
