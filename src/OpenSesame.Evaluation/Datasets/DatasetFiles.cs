using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>Reading dataset files so that every failure names the file and line, and JSON values as parameter text.</summary>
internal static partial class DatasetFiles
{
    /// <exception cref="EvalDataException">The file is missing or is not JSON.</exception>
    public static JsonElement ReadJson(string path)
    {
        var text = ReadText(path);
        try
        {
            return JsonSerializer.Deserialize<JsonElement>(text);
        }
        catch (JsonException ex)
        {
            throw new EvalDataException($"{path}:{(ex.LineNumber ?? 0) + 1}: not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The non-blank lines of a JSON Lines file as (1-based line number, value). A line that is not a JSON object is
    /// skipped and reported under "<paramref name="format"/>: a malformed line"; one bad line costs one item.
    /// </summary>
    /// <exception cref="EvalDataException">The file is missing, or no line of it is a JSON object (the first line's error).</exception>
    public static List<(int Line, JsonElement Row)> ReadJsonLines(string path, EvalReport report, string format)
    {
        var rows = new List<(int, JsonElement)>();
        EvalDataException? first = null;
        var lineNumber = 0;
        foreach (var line in ReadText(path).Split('\n'))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                rows.Add((lineNumber, ParseLine(path, lineNumber, line)));
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                Malformed(report, format, "line", ex);
            }
        }

        ThrowIfNoneRead(rows.Count, first);
        return rows;
    }

    /// <summary>
    /// A dataset whose every item is malformed is unreadable as its format: the first item's error, which names the
    /// file and place, is thrown so the run fails saying why.
    /// </summary>
    public static void ThrowIfNoneRead(int read, EvalDataException? first)
    {
        if (read == 0 && first is not null)
        {
            throw first;
        }
    }

    /// <summary>
    /// Records a malformed item (a line, task, API, fixture, session) that was skipped: the reason names the format and
    /// the kind of item, the example is the error, which names the file and place.
    /// </summary>
    public static void Malformed(EvalReport report, string format, string item, EvalDataException error) =>
        report.Skip($"{format}: a malformed {item} (skipped)", error.Message);

    private static JsonElement ParseLine(string path, int lineNumber, string line)
    {
        JsonElement row;
        try
        {
            row = JsonSerializer.Deserialize<JsonElement>(line);
        }
        catch (JsonException ex)
        {
            throw new EvalDataException($"{path}:{lineNumber}: not valid JSON: {ex.Message}", ex);
        }

        return row.ValueKind == JsonValueKind.Object
            ? row
            : throw new EvalDataException($"{path}:{lineNumber}: expected a JSON object, found {row.ValueKind}.");
    }

    public static string ReadText(string path)
    {
        if (!File.Exists(path))
        {
            throw new EvalDataException($"The dataset file {Path.GetFullPath(path)} does not exist.");
        }

        return File.ReadAllText(path);
    }

    /// <summary>A string property, or null when it is missing or not a string.</summary>
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>A property that must be there; the error names file, place and field.</summary>
    public static JsonElement Required(JsonElement element, string name, JsonValueKind kind, string where)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind != kind)
        {
            throw new EvalDataException($"{where}: the field '{name}' is missing or is not a JSON {kind.ToString().ToLowerInvariant()}.");
        }

        return value;
    }

    /// <summary>
    /// The value as parameter text: strings as they are, numbers and booleans in JSON spelling, arrays and objects as
    /// compact JSON; null for JSON null, which says "no value".
    /// </summary>
    public static string? ParameterText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Array or JsonValueKind.Object => JsonSerializer.Serialize(value),
        _ => value.GetRawText(),
    };

    /// <summary>The members of an object whose values are literals worth carrying as parameters.</summary>
    public static Dictionary<string, string>? Parameters(JsonElement obj, Func<string, bool>? isLiteral = null)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (ParameterText(property.Value) is { } text && (isLiteral?.Invoke(text) ?? true))
            {
                parameters[property.Name] = text;
            }
        }

        return parameters.Count > 0 ? parameters : null;
    }

    /// <summary>"GET /x" or " get   /x " → (GET, /x); null when the label is not an HTTP method and a path.</summary>
    public static EvalCall? ParseEndpoint(string label, IReadOnlyDictionary<string, string>? parameters = null)
    {
        var match = EndpointLabel().Match(label);
        return match.Success
            ? new EvalCall(match.Groups[1].Value.ToUpperInvariant(), match.Groups[2].Value, parameters)
            : null;
    }

    public static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS|TRACE)\s+(\S+)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex EndpointLabel();
}
