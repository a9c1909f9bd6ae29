using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// NESTFUL, executable split: <c>executable-data.json</c> items (<c>input</c> = prompt, <c>output</c> = calls by endpoint
/// <c>name</c>, the last one the <c>var_result</c> answer, which is not a call) over the RapidAPI endpoint list
/// <c>executable-spec.json</c> (name, method, path, host, query and path parameters, description).
/// <para>
/// The endpoint list becomes one OpenAPI 3.0 document of all endpoints, the "merged spec" every task uses: the items
/// chain endpoints of several hosts (flights, then hotels), so one spec per host would split a task across specs.
/// Choices forced by the data:
/// </para>
/// <list type="bullet">
/// <item>Several hosts serve the same method and path (<c>GET /search</c> on newsapi90, local-business-data and
/// real-time-product-search). Every endpoint of such a collision gets its host's RapidAPI name as a first segment
/// (<c>/newsapi90/search</c>), all of them rather than all but one, so none is preferred arbitrarily; endpoints whose
/// path is unique keep their real path. Each operation carries its host as its tag and in <c>x-rapidapi-host</c>.</item>
/// <item>Two names for one endpoint of one host (<c>TripadvisorSearchRestaurants</c> and
/// <c>Tripadvisor_Search_Restaurants</c>) are one operation: it is one REST call, and predicting it is right for
/// either name. Its parameters are the union; <c>x-nestful-names</c> lists the names.</item>
/// <item>Path parameters missing from the path (Coronavirus Smartable's <c>/news/v1/</c> with <c>location</c>) are
/// appended as segments (<c>/news/v1/{location}</c>), which is where the real API takes them.</item>
/// </list>
/// Gold calls carry literal arguments as <see cref="EvalCall.Params"/>; references to earlier outputs
/// (<c>$var1.skyId$</c>) are not values and are left out. A name missing from the endpoint list becomes
/// <c>GET /{name}</c> for the case builder to report. A spec override names another endpoint list. A malformed item
/// (no <c>output</c> list) is skipped and reported; a file without a readable item throws.
/// </summary>
internal sealed partial class NestfulAdapter : IEvalDatasetAdapter
{
    private const string EndpointListFile = "executable-spec.json";
    private const string AnswerStep = "var_result";

    private readonly Dictionary<string, NestfulSpec> _specs = new(StringComparer.Ordinal);
    private readonly Lock _specsLock = new();

    public string Format => "nestful";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var endpointList = specOverride is not null
            ? Path.GetFullPath(specOverride)
            : EvalDataLocator.FindFile(datasetPath, $"the NESTFUL endpoint list of {Path.GetFileName(datasetPath)}",
                EndpointListFile, Path.Combine("nestful", "data", "executable", EndpointListFile));
        var spec = SpecOf(endpointList);
        var root = DatasetFiles.ReadJson(datasetPath);
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new EvalDataException($"{datasetPath}: a NESTFUL dataset is a JSON list of items, found {root.ValueKind}.");
        }

        var tasks = new List<EvalTask>();
        var index = -1;
        var read = 0;
        EvalDataException? first = null;
        foreach (var item in root.EnumerateArray())
        {
            index++;
            var id = $"nestful/{DatasetFiles.Invariant(index)}";
            JsonElement output;
            try
            {
                output = DatasetFiles.Required(item, "output", JsonValueKind.Array, $"{datasetPath}: item {DatasetFiles.Invariant(index)}");
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "item", ex);
                continue;
            }

            read++;
            var gold = new List<EvalCall>();
            foreach (var step in output.EnumerateArray())
            {
                var name = DatasetFiles.String(step, "name");
                if (name is null)
                {
                    report.Skip("nestful: an output step has no name", $"{id}: {step.GetRawText()}");
                    continue;
                }

                if (name == AnswerStep)
                {
                    continue;
                }

                var arguments = step.TryGetProperty("arguments", out var args) ? args : default;
                var parameters = DatasetFiles.Parameters(arguments, text => !Reference().IsMatch(text));
                gold.Add(spec.CallsByName.TryGetValue(name, out var call)
                    ? call with { Params = parameters }
                    : new EvalCall("GET", "/" + name, parameters));
            }

            if (gold.Count == 0)
            {
                report.Skip("nestful: an item has no calls", id);
                continue;
            }

            tasks.Add(new EvalTask(id, spec.Spec, DatasetFiles.String(item, "input"), gold));
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private NestfulSpec SpecOf(string endpointList)
    {
        lock (_specsLock)
        {
            if (!_specs.TryGetValue(endpointList, out var spec))
            {
                _specs[endpointList] = spec = BuildSpec(endpointList);
            }

            return spec;
        }
    }

    /// <summary>The OpenAPI document of an endpoint list, and the call each endpoint name stands for.</summary>
    internal static NestfulSpec BuildSpec(string endpointListPath)
    {
        var root = DatasetFiles.ReadJson(endpointListPath);
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new EvalDataException($"{endpointListPath}: a NESTFUL endpoint list is a JSON list, found {root.ValueKind}.");
        }

        var endpoints = new List<Endpoint>();
        foreach (var entry in root.EnumerateArray())
        {
            var where = $"{endpointListPath}: endpoint {DatasetFiles.Invariant(endpoints.Count)}";
            var name = DatasetFiles.String(entry, "name") ?? throw new EvalDataException($"{where}: the field 'name' is missing.");
            var method = (DatasetFiles.String(entry, "method") ?? "GET").Trim().ToUpperInvariant();
            var host = DatasetFiles.String(entry, "host") ?? "";
            var pathParameters = entry.TryGetProperty("path_parameters", out var pp) && pp.ValueKind == JsonValueKind.Object ? pp : default;
            var path = PathOf(DatasetFiles.String(entry, "endpoint") ?? "/", pathParameters);
            endpoints.Add(new Endpoint(name, method, host, path, entry));
        }

        // Paths served by more than one host get the host as a first segment, for every host involved.
        var shared = endpoints
            .GroupBy(e => (e.Method, e.Path))
            .Where(g => g.Select(e => e.Host).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
            .Select(g => g.Key)
            .ToHashSet();
        var paths = new JsonObject();
        var calls = new Dictionary<string, EvalCall>(StringComparer.Ordinal);
        foreach (var operation in endpoints.GroupBy(e => (e.Method, Path: shared.Contains((e.Method, e.Path)) ? $"/{HostName(e.Host)}{(e.Path == "/" ? "" : e.Path)}" : e.Path)))
        {
            var (method, path) = operation.Key;
            var item = (JsonObject)(paths[path] ??= new JsonObject());
            item[method.ToLowerInvariant()] = OperationOf(operation.ToList());
            foreach (var endpoint in operation)
            {
                calls.TryAdd(endpoint.Name, new EvalCall(method, path));
            }
        }

        var document = new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "NESTFUL executable endpoints (RapidAPI)",
                ["version"] = "1.0",
                ["description"] = $"Built from {Path.GetFileName(endpointListPath)}: one operation per endpoint.",
            },
            ["paths"] = paths,
        };
        var spec = new EvalSpec($"nestful ({Path.GetFileName(endpointListPath)})", null, document.ToJsonString());
        return new NestfulSpec(spec, calls);
    }

    private static JsonObject OperationOf(List<Endpoint> endpoints)
    {
        var first = endpoints[0];
        var parameters = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            foreach (var (property, location) in new[] { ("path_parameters", "path"), ("query_parameters", "query") })
            {
                if (!endpoint.Entry.TryGetProperty(property, out var declared) || declared.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var parameter in declared.EnumerateObject())
                {
                    if (seen.Add(location + ":" + parameter.Name))
                    {
                        parameters.Add(ParameterOf(parameter.Name, location, parameter.Value));
                    }
                }
            }
        }

        var operation = new JsonObject
        {
            ["operationId"] = first.Name,
            ["summary"] = first.Name,
            ["description"] = DatasetFiles.String(first.Entry, "description") ?? "",
            ["tags"] = new JsonArray(HostName(first.Host)),
            ["parameters"] = parameters,
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "Success" } },
            ["x-rapidapi-host"] = first.Host,
        };
        if (endpoints.Count > 1)
        {
            operation["x-nestful-names"] = new JsonArray([.. endpoints.Select(e => (JsonNode?)JsonValue.Create(e.Name))]);
        }

        return operation;
    }

    private static JsonObject ParameterOf(string name, string location, JsonElement declared)
    {
        var type = SchemaType(DatasetFiles.String(declared, "type"));
        var schema = new JsonObject { ["type"] = type };
        if (type == "array")
        {
            schema["items"] = new JsonObject { ["type"] = "string" };
        }

        foreach (var choices in new[] { "enum", "allowed_values" })
        {
            if (declared.TryGetProperty(choices, out var values) && values.ValueKind == JsonValueKind.Array)
            {
                schema["enum"] = JsonNode.Parse(values.GetRawText());
                break;
            }
        }

        var required = location == "path"
            || (declared.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.True);
        return new JsonObject
        {
            ["name"] = name,
            ["in"] = location,
            ["required"] = required,
            ["description"] = DatasetFiles.String(declared, "description") ?? "",
            ["schema"] = schema,
        };
    }

    // The list spells types loosely ("String", "Number", "Object").
    private static string SchemaType(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        "number" or "float" or "double" => "number",
        "integer" or "int" => "integer",
        "boolean" or "bool" => "boolean",
        "array" or "list" => "array",
        "object" or "dict" => "object",
        _ => "string",
    };

    private static string PathOf(string endpoint, JsonElement pathParameters)
    {
        var path = "/" + endpoint.Trim().Trim('/');
        if (pathParameters.ValueKind == JsonValueKind.Object)
        {
            foreach (var parameter in pathParameters.EnumerateObject())
            {
                var placeholder = "{" + parameter.Name + "}";
                if (!path.Contains(placeholder, StringComparison.Ordinal))
                {
                    path = (path == "/" ? "" : path) + "/" + placeholder;
                }
            }
        }

        return path;
    }

    // "newsapi90.p.rapidapi.com" → "newsapi90": the name RapidAPI lists the API under.
    private static string HostName(string host)
    {
        var name = host.Trim().ToLowerInvariant();
        var cut = name.IndexOf(".p.rapidapi.com", StringComparison.Ordinal);
        name = cut > 0 ? name[..cut] : name.Split('.')[0];
        return NotPathSafe().Replace(name, "-") is { Length: > 0 } safe ? safe : "host";
    }

    [GeneratedRegex(@"\$var[^$]*\$")]
    private static partial Regex Reference();

    [GeneratedRegex("[^a-z0-9._-]")]
    private static partial Regex NotPathSafe();

    private sealed record Endpoint(string Name, string Method, string Host, string Path, JsonElement Entry);
}

/// <param name="CallsByName">The call (method, path in the built document) each endpoint name stands for.</param>
internal sealed record NestfulSpec(EvalSpec Spec, IReadOnlyDictionary<string, EvalCall> CallsByName);
