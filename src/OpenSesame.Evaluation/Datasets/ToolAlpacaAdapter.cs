using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// ToolAlpaca sets: a JSON list of APIs, each with its own OpenAPI document in <c>Documentation</c> (a JSON string) and
/// <c>Function_Projection</c> (action → <c>[path, method]</c>). The published files differ in what holds the gold:
/// <c>eval_simulated.json</c> and <c>eval_real.json</c> pair <c>Instructions</c> with <c>Golden_Answers</c> (a list of
/// <c>{Action, Action_Input}</c> per instruction); <c>train_data.json</c> has <c>Instances</c>, each an <c>input</c>
/// and the agent's <c>intermediate_steps</c> (<c>[[action, action input, thought], observation]</c>);
/// <c>validation_data.json</c> has <c>Questions</c> and no calls, so its APIs are skipped and counted. One task per
/// instruction or instance, against its API's own document. Quirks of the real files, handled here:
/// <list type="bullet">
/// <item>The projection lists the path first and the method in lower case (<c>["/anime/{animeId}", "get"]</c>);
/// either order, and "METHOD /path" strings, are accepted. A path without its leading <c>/</c> (eval_real.json's
/// <c>api/fruit/{name}</c>, in the projection and the document alike) gets it.</item>
/// <item>eval_real.json's golden answers name operations its projection leaves out; they are found in the document
/// by operationId or by the tool maker's generated name (<c>preferred-routes_search_get</c>).</item>
/// <item><c>getDetails</c> is not a function of any API: the annotators used it for asking the user a question
/// (<c>{"Question": "Can you tell me the abusive IP address?"}</c>). It is no REST call, so it is dropped and
/// counted.</item>
/// <item>An action may be marked <c>[Optional]updateUserProfile</c>: the marker is removed and the call kept, because the
/// annotator expected it under the instruction's condition.</item>
/// <item><c>Action_Input</c> is JSON only sometimes: placeholders such as <c>${animeId from searchAnime}</c> (some
/// unterminated, some quoted) stand for values taken from earlier results. They are read as null, and only the
/// literal arguments (no placeholders, no empty strings) become <see cref="EvalCall.Params"/>; an input that is
/// still not JSON (<c>"symbols": "symbols": [...]</c>) gives no parameters.</item>
/// <item>Each document's <c>servers</c> URL is the documentation page (<c>https://aniapi.com/docs/</c>), not an API base.</item>
/// </list>
/// Another unknown action becomes <c>GET /{action}</c> for the case builder to report. A spec override replaces every
/// API's document. A malformed API (no document, no instruction list) or projection entry is skipped and reported; a
/// file without a readable API throws.
/// </summary>
internal sealed partial class ToolAlpacaAdapter : IEvalDatasetAdapter
{
    private const string OptionalMarker = "[Optional]";
    private const string AskUser = "getDetails";

    private static readonly HashSet<string> HttpMethods = new(StringComparer.OrdinalIgnoreCase)
    {
        "get", "put", "post", "delete", "patch", "head", "options", "trace",
    };

    public string Format => "toolalpaca";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var root = DatasetFiles.ReadJson(datasetPath);
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new EvalDataException($"{datasetPath}: a ToolAlpaca set is a JSON list of APIs, found {root.ValueKind}.");
        }

        var overridden = specOverride is null ? null : EvalSpec.FromFile(Path.GetFullPath(specOverride));
        var tasks = new List<EvalTask>();
        var apiIndex = -1;
        var read = 0;
        EvalDataException? first = null;
        foreach (var api in root.EnumerateArray())
        {
            apiIndex++;
            var name = DatasetFiles.String(api, "Name") ?? $"api {DatasetFiles.Invariant(apiIndex)}";
            var where = $"{datasetPath}: API '{name}'";
            try
            {
                tasks.AddRange(TasksOf(api, name, where, overridden, report));
                read++;
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "API", ex);
            }
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private static List<EvalTask> TasksOf(JsonElement api, string name, string where, EvalSpec? overridden, EvalReport report)
    {
        var tasks = new List<EvalTask>();
        var hasAnswers = api.ValueKind == JsonValueKind.Object && api.TryGetProperty("Golden_Answers", out _);
        var hasInstances = api.ValueKind == JsonValueKind.Object && api.TryGetProperty("Instances", out var instances)
                           && instances.ValueKind == JsonValueKind.Array;
        if (!hasAnswers && !hasInstances)
        {
            // validation_data.json lists Questions without any calls: nothing to score.
            report.Skip("toolalpaca: an API without Golden_Answers or Instances has no gold calls", name);
            return tasks;
        }

        var documentation = DocumentationOf(api, where);
        var spec = overridden ?? new EvalSpec(name, null, documentation);
        var projection = ProjectionOf(api, documentation, where, report);
        if (hasAnswers)
        {
            var instructions = DatasetFiles.Required(api, "Instructions", JsonValueKind.Array, where);
            var answers = DatasetFiles.Required(api, "Golden_Answers", JsonValueKind.Array, where);
            if (instructions.GetArrayLength() != answers.GetArrayLength())
            {
                report.Skip("toolalpaca: Instructions and Golden_Answers differ in length; the extra ones are unpaired",
                    $"{name}: {DatasetFiles.Invariant(instructions.GetArrayLength())} vs {DatasetFiles.Invariant(answers.GetArrayLength())}");
            }

            var index = -1;
            foreach (var (instruction, answer) in instructions.EnumerateArray().Zip(answers.EnumerateArray()))
            {
                index++;
                var prompt = instruction.ValueKind == JsonValueKind.String ? instruction.GetString() : null;
                AddTask(tasks, $"{name}/{DatasetFiles.Invariant(index)}", spec, prompt, StepsOfAnswer(answer), projection, report);
            }
        }
        else
        {
            var index = -1;
            foreach (var instance in api.GetProperty("Instances").EnumerateArray())
            {
                index++;
                // The user agent's input ends with a hint for the simulation ("\nHint: ..."), which no user typed.
                var prompt = DatasetFiles.String(instance, "input") is { } input ? input.Split("\nHint: ", 2)[0] : null;
                AddTask(tasks, $"{name}/{DatasetFiles.Invariant(index)}", spec, prompt, StepsOfInstance(instance), projection, report);
            }
        }

        return tasks;
    }

    private static void AddTask(List<EvalTask> tasks, string id, EvalSpec spec, string? prompt,
        IEnumerable<(string? Action, string? Input)> steps, Dictionary<string, EvalCall> projection, EvalReport report)
    {
        var gold = GoldOf(steps, projection, id, report);
        if (gold.Count == 0)
        {
            report.Skip("toolalpaca: an instruction has no API call in its golden answer", id);
            return;
        }

        tasks.Add(new EvalTask(id, spec, prompt, gold));
    }

    // eval_*.json: [{"Action": "searchAnime", "Action_Input": "{...}"}, ...].
    private static IEnumerable<(string? Action, string? Input)> StepsOfAnswer(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Array
            ? answer.EnumerateArray().Select(step => (DatasetFiles.String(step, "Action"), DatasetFiles.String(step, "Action_Input")))
            : [];

    // train_data.json: "intermediate_steps": [[[action, action input, thought], observation], ...].
    private static IEnumerable<(string? Action, string? Input)> StepsOfInstance(JsonElement instance)
    {
        if (instance.ValueKind != JsonValueKind.Object || !instance.TryGetProperty("intermediate_steps", out var steps)
            || steps.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var step in steps.EnumerateArray())
        {
            if (step.ValueKind == JsonValueKind.Array && step.GetArrayLength() > 0 && step[0] is { ValueKind: JsonValueKind.Array } call
                && call.GetArrayLength() >= 2)
            {
                yield return (call[0].ValueKind == JsonValueKind.String ? call[0].GetString() : null,
                    call[1].ValueKind == JsonValueKind.String ? call[1].GetString() : null);
            }
        }
    }

    private static List<EvalCall> GoldOf(IEnumerable<(string? Action, string? Input)> steps, Dictionary<string, EvalCall> projection,
        string id, EvalReport report)
    {
        var gold = new List<EvalCall>();
        foreach (var (name, input) in steps)
        {
            var action = name?.Trim() ?? "";
            if (action.StartsWith(OptionalMarker, StringComparison.OrdinalIgnoreCase))
            {
                action = action[OptionalMarker.Length..].Trim();
            }

            if (string.Equals(action, AskUser, StringComparison.OrdinalIgnoreCase) && !projection.ContainsKey(action))
            {
                report.Skip("toolalpaca: getDetails asks the user a question; it is not an API call", id);
                continue;
            }

            var parameters = ParametersOf(input);
            gold.Add(projection.TryGetValue(action, out var call)
                ? call with { Params = parameters }
                : new EvalCall("GET", "/" + action, parameters));
        }

        return gold;
    }

    private static string DocumentationOf(JsonElement api, string where)
    {
        if (!api.TryGetProperty("Documentation", out var documentation))
        {
            throw new EvalDataException($"{where}: the field 'Documentation' is missing.");
        }

        var text = documentation.ValueKind switch
        {
            JsonValueKind.String => documentation.GetString()!,
            JsonValueKind.Object => documentation.GetRawText(),
            _ => throw new EvalDataException($"{where}: 'Documentation' is neither an OpenAPI document nor a string of one."),
        };
        return WithRootedPaths(text);
    }

    // eval_real.json writes one path as "api/fruit/{name}"; OpenAPI paths start with "/", and so do the calls.
    private static string WithRootedPaths(string documentation)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(documentation);
        }
        catch (JsonException)
        {
            return documentation;
        }

        if (root?["paths"] is not JsonObject paths || paths.All(p => p.Key.StartsWith('/')))
        {
            return documentation;
        }

        var rooted = new JsonObject();
        foreach (var (path, item) in paths.ToList())
        {
            paths.Remove(path);
            var key = RootedPath(path);
            if (!rooted.ContainsKey(key))
            {
                rooted[key] = item;
            }
        }

        root["paths"] = rooted;
        return root.ToJsonString();
    }

    private static string RootedPath(string path) => "/" + path.Trim().TrimStart('/');

    /// <summary>
    /// Action name → call: <c>Function_Projection</c> (action → [path, method]), then, for the actions its golden answers
    /// use but it leaves out (eval_real.json projects 5 of AviationAPI's 10 operations), the document's own operations
    /// by operationId and by the name ToolAlpaca's tool maker gives an operation without one (path segments joined by
    /// "_", braces dropped, then the method: <c>/preferred-routes/search</c> GET → <c>preferred-routes_search_get</c>).
    /// A malformed projection entry is skipped and reported.
    /// </summary>
    private static Dictionary<string, EvalCall> ProjectionOf(JsonElement api, string documentation, string where, EvalReport report)
    {
        var calls = new Dictionary<string, EvalCall>(StringComparer.Ordinal);
        if (api.TryGetProperty("Function_Projection", out var projection) && projection.ValueKind == JsonValueKind.Object)
        {
            foreach (var entry in projection.EnumerateObject())
            {
                var call = entry.Value.ValueKind switch
                {
                    JsonValueKind.Array when entry.Value.GetArrayLength() == 2 => FromPair(Text(entry.Value[0]), Text(entry.Value[1])),
                    JsonValueKind.String => DatasetFiles.ParseEndpoint(entry.Value.GetString()!),
                    _ => null,
                };
                if (call is null)
                {
                    report.Skip("toolalpaca: a projection entry is not [path, method]", $"{where}: '{entry.Name}': {entry.Value.GetRawText()}");
                    continue;
                }

                calls[entry.Name] = call with { Path = RootedPath(call.Path) };
            }
        }

        foreach (var (name, call) in DocumentedOperations(documentation))
        {
            calls.TryAdd(name, call);
        }

        return calls;
    }

    private static IEnumerable<(string Name, EvalCall Call)> DocumentedOperations(string documentation)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(documentation);
        }
        catch (JsonException)
        {
            yield break;
        }

        if (root?["paths"] is not JsonObject paths)
        {
            yield break;
        }

        foreach (var (path, item) in paths)
        {
            if (item is not JsonObject operations)
            {
                continue;
            }

            foreach (var (method, operation) in operations)
            {
                if (!HttpMethods.Contains(method))
                {
                    continue;
                }

                var call = new EvalCall(method.ToUpperInvariant(), path);
                if (operation is JsonObject o && o["operationId"] is JsonValue id && id.TryGetValue<string>(out var operationId))
                {
                    yield return (operationId, call);
                }

                var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(s => s.Replace("{", "", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal));
                yield return (string.Join('_', [.. segments, method.ToLowerInvariant()]), call);
            }
        }
    }

    private static string? Text(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    // ["/anime/{animeId}", "get"], either order; a path without its leading "/" is still the path.
    private static EvalCall? FromPair(string? first, string? second)
    {
        if (first is null || second is null)
        {
            return null;
        }

        var (method, path) = IsMethod(first) ? (first, second) : (second, first);
        return IsMethod(method) ? DatasetFiles.ParseEndpoint($"{method.Trim()} {RootedPath(path)}") : null;
    }

    private static bool IsMethod(string text) => HttpMethods.Contains(text.Trim());

    private static Dictionary<string, string>? ParametersOf(string? input)
    {
        if (string.IsNullOrWhiteSpace(input))
        {
            return null;
        }

        foreach (var text in new[] { input, Placeholder().Replace(input, "null") })
        {
            try
            {
                return DatasetFiles.Parameters(JsonSerializer.Deserialize<JsonElement>(text), IsLiteral);
            }
            catch (JsonException)
            {
                // Try again with the placeholders read as null; give up on the arguments after that.
            }
        }

        return null;
    }

    private static bool IsLiteral(string value) => value.Length > 0 && !BracedPlaceholder().IsMatch(value);

    // ${...}, with or without surrounding quotes; an unterminated one runs to the next closing brace.
    [GeneratedRegex("\"?\\$\\{[^}]*\\}\"?")]
    private static partial Regex Placeholder();

    // "{start date}" or "${...}" written as a string value.
    [GeneratedRegex(@"^\$?\{[^}]*\}$")]
    private static partial Regex BracedPlaceholder();
}
