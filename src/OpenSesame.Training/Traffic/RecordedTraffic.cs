using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenSesame.Training.Traffic;

/// <summary>
/// Recorded HTTP sessions of real API clients (<c>shared/traffic/sessions/&lt;api&gt;.jsonl</c>), one session per line:
/// <code>
/// {"source": "owner/repo@commit:path", "api": "github", "spec": "evaldata/specs/.../openapi.yaml",
///  "suspect_synthetic": null | "reason",
///  "calls": [{"method": "GET", "path": "/repos/o/r", "query": {"per_page": "100"}, "body_keys": ["title"],
///             "template": "GET /repos/{owner}/{repo}" | null, "status": 200}]}
/// </code>
/// Reading never throws on what a line holds: a line that is not a session (bad JSON, a required field missing or of
/// the wrong type) is left out, a call that is not a call is left out of its session, and each is reported in
/// <see cref="Problems"/> with its file and line. Recordings come from many converters and a trainer or an evaluation
/// should lose one recording to a bad line, not the whole set.
/// </summary>
public sealed partial class RecordedTraffic
{
    private RecordedTraffic(IReadOnlyList<string> files, IReadOnlyList<RecordedSession> sessions, IReadOnlyList<TrafficProblem> problems)
    {
        Files = files;
        Sessions = sessions;
        Problems = problems;
    }

    /// <summary>The files read, in the order read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Every session read, in file order then line order.</summary>
    public IReadOnlyList<RecordedSession> Sessions { get; }

    /// <summary>The lines and calls left out, in the order met.</summary>
    public IReadOnlyList<TrafficProblem> Problems { get; }

    /// <summary>Reads one sessions file, or every <c>*.jsonl</c> file of a folder (not below it), ordered by name.</summary>
    /// <exception cref="FileNotFoundException">The path is neither a file nor a folder.</exception>
    public static RecordedTraffic Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        List<string> files;
        if (File.Exists(path))
        {
            files = [Path.GetFullPath(path)];
        }
        else if (Directory.Exists(path))
        {
            files = [.. Directory.EnumerateFiles(path, "*.jsonl", SearchOption.TopDirectoryOnly)
                .Select(Path.GetFullPath)
                .Order(StringComparer.Ordinal)];
        }
        else
        {
            throw new FileNotFoundException(
                $"The recorded traffic {Path.GetFullPath(path)} is neither a sessions file nor a folder of them.", path);
        }

        var sessions = new List<RecordedSession>();
        var problems = new List<TrafficProblem>();
        foreach (var file in files)
        {
            var number = 0;
            foreach (var line in File.ReadLines(file))
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (ReadSession(file, number, line, problems) is { } session)
                {
                    sessions.Add(session);
                }
            }
        }

        return new RecordedTraffic(files, sessions, problems);
    }

    private static RecordedSession? ReadSession(string file, int number, string line, List<TrafficProblem> problems)
    {
        JsonElement row;
        try
        {
            row = JsonSerializer.Deserialize<JsonElement>(line);
        }
        catch (JsonException ex)
        {
            problems.Add(new TrafficProblem(file, number, null, $"not valid JSON: {ex.Message}"));
            return null;
        }

        if (row.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new TrafficProblem(file, number, null, $"a session is a JSON object, found {row.ValueKind}."));
            return null;
        }

        string? Missing(string name) => Text(row, name) is null ? $"the field '{name}' is missing or is not a non-empty string." : null;
        var missing = Missing("source") ?? Missing("api") ?? Missing("spec");
        if (missing is not null)
        {
            problems.Add(new TrafficProblem(file, number, null, missing));
            return null;
        }

        string? suspect = null;
        if (row.TryGetProperty("suspect_synthetic", out var flag) && flag.ValueKind != JsonValueKind.Null)
        {
            if (flag.ValueKind != JsonValueKind.String)
            {
                // Unknown means the recording cannot be trusted or cleared: leave it out rather than guess.
                problems.Add(new TrafficProblem(file, number, null, "'suspect_synthetic' is neither null nor a reason."));
                return null;
            }

            suspect = flag.GetString();
        }

        if (!row.TryGetProperty("calls", out var calls) || calls.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new TrafficProblem(file, number, null, "the field 'calls' is missing or is not a list."));
            return null;
        }

        var read = new List<RecordedCall>(calls.GetArrayLength());
        var index = -1;
        foreach (var call in calls.EnumerateArray())
        {
            index++;
            var (recorded, problem) = ReadCall(call);
            if (recorded is not null)
            {
                read.Add(recorded);
            }
            else
            {
                problems.Add(new TrafficProblem(file, number, index, problem!));
            }
        }

        return new RecordedSession(Text(row, "source")!, Text(row, "api")!, Text(row, "spec")!, suspect, read, file, number);
    }

    private static (RecordedCall? Call, string? Problem) ReadCall(JsonElement call)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            return (null, $"a call is a JSON object, found {call.ValueKind}.");
        }

        var method = Text(call, "method");
        var path = Text(call, "path");
        if (method is null || !Method().IsMatch(method))
        {
            return (null, "the field 'method' is missing or is not an HTTP method.");
        }

        if (path is null || !path.StartsWith('/'))
        {
            return (null, "the field 'path' is missing or does not start with '/'.");
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        if (call.TryGetProperty("query", out var q) && q.ValueKind != JsonValueKind.Null)
        {
            if (q.ValueKind != JsonValueKind.Object)
            {
                return (null, "'query' is not an object.");
            }

            foreach (var parameter in q.EnumerateObject())
            {
                if (QueryText(parameter.Value) is { } value)
                {
                    query[parameter.Name] = value;
                }
            }
        }

        var bodyKeys = new List<string>();
        if (call.TryGetProperty("body_keys", out var keys) && keys.ValueKind != JsonValueKind.Null)
        {
            if (keys.ValueKind != JsonValueKind.Array || keys.EnumerateArray().Any(k => k.ValueKind != JsonValueKind.String))
            {
                return (null, "'body_keys' is not a list of names.");
            }

            bodyKeys.AddRange(keys.EnumerateArray().Select(k => k.GetString()!));
        }

        string? template = null;
        if (call.TryGetProperty("template", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            template = t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : null;
            if (template is null || !Template().IsMatch(template))
            {
                return (null, "'template' is neither null nor \"METHOD /path\".");
            }
        }

        int? status = null;
        if (call.TryGetProperty("status", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            // One converter wrote a status as the string "200": the code is still the code.
            if (!(s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var code))
                && !(s.ValueKind == JsonValueKind.String && int.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out code)))
            {
                return (null, "'status' is not a response code.");
            }

            status = code;
        }

        return (new RecordedCall(method.ToUpperInvariant(), path, query, bodyKeys, template, status), null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;

    private static string? QueryText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Array or JsonValueKind.Object => JsonSerializer.Serialize(value),
        _ => value.GetRawText(),
    };

    [GeneratedRegex("^[A-Za-z]+$")]
    private static partial Regex Method();

    [GeneratedRegex(@"^[A-Z]+ /\S*$")]
    private static partial Regex Template();
}
