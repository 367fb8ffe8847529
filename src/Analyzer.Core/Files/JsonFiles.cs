using System.Text.Json;
using System.Text.Json.Serialization;

namespace Analyzer.Core.Files;

/// <summary>The JSON conventions of every file Analyzer writes: snake_case keys, indented, invariant numbers.</summary>
public static class JsonFiles
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new CompactIntListConverter(), new CompactDoubleListConverter() },
    };

    public static string Serialize<T>(T document) => JsonSerializer.Serialize(document, Options);

    public static void Write<T>(string path, T document)
    {
        AtomicFile.WriteAllText(path, Serialize(document) + "\n");
    }

    public static T Read<T>(string path) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new JsonException($"{path}: the JSON is null, not a document");
}

/// <summary>Writes integer lists (labels, unit indices) on one line, so that files stay readable.</summary>
internal sealed class CompactIntListConverter : JsonConverter<IReadOnlyList<int>>
{
    public override IReadOnlyList<int>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<int[]>(ref reader);

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<int> value, JsonSerializerOptions options) =>
        writer.WriteRawValue("[" + string.Join(", ", value) + "]", skipInputValidation: true);
}

/// <summary>Writes number lists (per-class values, control values) on one line, round-trip exact.</summary>
internal sealed class CompactDoubleListConverter : JsonConverter<IReadOnlyList<double>>
{
    public override IReadOnlyList<double>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<double[]>(ref reader, options);

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<double> value, JsonSerializerOptions options) =>
        writer.WriteRawValue("[" + string.Join(", ", value.Select(Format)) + "]", skipInputValidation: true);

    private static string Format(double v) =>
        double.IsFinite(v) ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : double.IsNaN(v) ? "\"NaN\"" : v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
}
