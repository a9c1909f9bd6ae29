using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// ToolAlpaca evaluation sets (<c>eval_simulated.json</c>): a JSON list of APIs, each with its own OpenAPI document in
/// <c>Documentation</c> (a JSON string), <c>Function_Projection</c> (action → <c>[path, method]</c>),
/// <c>Instructions</c> and, per instruction, <c>Golden_Answers</c> (a list of <c>{Action, Action_Input}</c>).
/// One task per instruction, against its API's own document. Quirks of the real file, handled here:
/// <list type="bullet">
/// <item>The projection lists the path first and the method in lower case (<c>["/anime/{animeId}", "get"]</c>);
/// either order, and "METHOD /path" strings, are accepted.</item>
/// <item><c>getDetails</c> is not a function of any API: the annotators used it for asking the user a question
/// (<c>{"Question": "Can you tell me the abusive IP address?"}</c>). It is no REST call, so it is dropped and
/// counted.</item>
/// <item>An action may be marked <c>[Optional]updateUserProfile</c>: the marker is removed and the call kept, because the
/// annotator expected it under the instruction's condition.</item>
/// <item><c>Action_Input</c> is JSON only sometimes: placeholders such as <c>${animeId from searchAnime}</c> (some
/// unterminated, some quoted) stand for values taken from earlier results. They are read as null, and only the
/// literal arguments (no placeholders, no empty strings) become <see cref="EvalCall.Params"/>.</item>
/// <item>Each document's <c>servers</c> URL is the documentation page (<c>https://aniapi.com/docs/</c>), not an API base.</item>
/// </list>
/// Another unknown action becomes <c>GET /{action}</c> for the case builder to report. A spec override replaces every
/// API's document.
/// </summary>
internal sealed partial class ToolAlpacaAdapter : IEvalDatasetAdapter
{
    private const string OptionalMarker = "[Optional]";
    private const string AskUser = "getDetails";

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
        foreach (var api in root.EnumerateArray())
        {
            apiIndex++;
            var name = DatasetFiles.String(api, "Name") ?? $"api {DatasetFiles.Invariant(apiIndex)}";
            var where = $"{datasetPath}: API '{name}'";
            var spec = overridden ?? new EvalSpec(name, null, DocumentationOf(api, where));
            var projection = ProjectionOf(DatasetFiles.Required(api, "Function_Projection", JsonValueKind.Object, where), where);
            var instructions = DatasetFiles.Required(api, "Instructions", JsonValueKind.Array, where);
            var answers = DatasetFiles.Required(api, "Golden_Answers", JsonValueKind.Array, where);
            if (instructions.GetArrayLength() != answers.GetArrayLength())
            {
                report.Skip("toolalpaca: Instructions and Golden_Answers differ in length; the extra ones are unpaired",
                    $"{name}: {DatasetFiles.Invariant(instructions.GetArrayLength())} vs {DatasetFiles.Invariant(answers.GetArrayLength())}");
            }

            var pairs = instructions.EnumerateArray().Zip(answers.EnumerateArray());
            var index = -1;
            foreach (var (instruction, answer) in pairs)
            {
                index++;
                var id = $"{name}/{DatasetFiles.Invariant(index)}";
                var gold = GoldOf(answer, projection, id, report);
                if (gold.Count == 0)
                {
                    report.Skip("toolalpaca: an instruction has no API call in its golden answer", id);
                    continue;
                }

                var prompt = instruction.ValueKind == JsonValueKind.String ? instruction.GetString() : null;
                tasks.Add(new EvalTask(id, spec, prompt, gold));
            }
        }

        return tasks;
    }

    private static List<EvalCall> GoldOf(JsonElement answer, Dictionary<string, EvalCall> projection, string id, EvalReport report)
    {
        var gold = new List<EvalCall>();
        if (answer.ValueKind != JsonValueKind.Array)
        {
            return gold;
        }

        foreach (var step in answer.EnumerateArray())
        {
            var action = DatasetFiles.String(step, "Action")?.Trim() ?? "";
            if (action.StartsWith(OptionalMarker, StringComparison.OrdinalIgnoreCase))
            {
                action = action[OptionalMarker.Length..].Trim();
            }

            if (string.Equals(action, AskUser, StringComparison.OrdinalIgnoreCase) && !projection.ContainsKey(action))
            {
                report.Skip("toolalpaca: getDetails asks the user a question; it is not an API call", id);
                continue;
            }

            var parameters = ParametersOf(DatasetFiles.String(step, "Action_Input"));
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

        return documentation.ValueKind switch
        {
            JsonValueKind.String => documentation.GetString()!,
            JsonValueKind.Object => documentation.GetRawText(),
            _ => throw new EvalDataException($"{where}: 'Documentation' is neither an OpenAPI document nor a string of one."),
        };
    }

    private static Dictionary<string, EvalCall> ProjectionOf(JsonElement projection, string where)
    {
        var calls = new Dictionary<string, EvalCall>(StringComparer.Ordinal);
        foreach (var entry in projection.EnumerateObject())
        {
            var call = entry.Value.ValueKind switch
            {
                JsonValueKind.Array when entry.Value.GetArrayLength() == 2 => FromPair(entry.Value[0].GetString(), entry.Value[1].GetString()),
                JsonValueKind.String => DatasetFiles.ParseEndpoint(entry.Value.GetString()!),
                _ => null,
            };
            calls[entry.Name] = call
                ?? throw new EvalDataException($"{where}: the projection of '{entry.Name}' is not [path, method]: {entry.Value.GetRawText()}");
        }

        return calls;
    }

    private static EvalCall? FromPair(string? first, string? second)
    {
        if (first is null || second is null)
        {
            return null;
        }

        var (path, method) = first.TrimStart().StartsWith('/') ? (first, second) : (second, first);
        return DatasetFiles.ParseEndpoint($"{method} {path.Trim()}");
    }

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
