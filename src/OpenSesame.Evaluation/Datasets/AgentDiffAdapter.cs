using System.Text.Json;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// Agent-Diff: JSONL rows with the prompt in <c>question</c> and the ordered gold calls in <c>info.tools_required</c>
/// (<c>info</c> is itself a JSON string). Each service names calls its own way, so each gets its own translation:
/// <list type="bullet">
/// <item>box: already "METHOD /path" (parameters named <c>{id}</c>, which the matcher accepts). Box splits its API
/// over a main spec and a versioned 2025.0 spec that alone has /hubs, so both are merged into one document
/// (paths and components; the main spec wins a conflict), built once and shared by all box tasks.</item>
/// <item>slack: Web API method names; <c>conversations.history</c> is the spec path <c>/conversations.history</c> with the
/// one HTTP method the spec declares there (POST when the spec does not have the method at all).</item>
/// <item>calendar: Google discovery ids; <c>events.insert</c> is the operation whose operationId is
/// <c>calendar.events.insert</c>, compared case-insensitively because the labels say <c>freeBusy.query</c> where the
/// spec says <c>calendar.freebusy.query</c>. An unknown id becomes <c>GET /{id}</c> for the case builder to report.</item>
/// <item>linear: GraphQL field names, no REST spec: the rows are skipped and counted.</item>
/// </list>
/// The specs are looked for above the dataset, then in the evaldata folder, so a held-out file elsewhere works the same.
/// A spec override that is a folder replaces the evaldata folder; a file replaces the spec of every service.
/// A malformed row (not JSON, no <c>info</c> or <c>tools_required</c>) is skipped and reported; a missing spec, or a
/// file without a readable row, throws.
/// </summary>
internal sealed class AgentDiffAdapter(EvalSpecCatalogs catalogs) : IEvalDatasetAdapter
{
    private static readonly string BoxSpec = Path.Combine("specs", "box-openapi", "openapi.json");
    private static readonly string BoxVersionedSpec = Path.Combine("specs", "box-openapi", "openapi", "openapi-v2025.0.json");
    private static readonly string SlackSpec = Path.Combine("specs", "slack-api-specs", "web-api", "slack_web_openapi_v2.json");
    private static readonly string CalendarSpec =
        Path.Combine("specs", "apis-guru", "APIs", "googleapis.com", "calendar", "v3", "openapi.yaml");

    private readonly Dictionary<(string, string), EvalSpec> _mergedBoxSpecs = [];
    private readonly Lock _mergeLock = new();

    public AgentDiffAdapter()
        : this(new EvalSpecCatalogs())
    {
    }

    public string Format => "agentdiff";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var specs = new Dictionary<string, EvalSpec>(StringComparer.Ordinal);
        EvalSpec SpecOf(string service) =>
            specs.TryGetValue(service, out var spec) ? spec : specs[service] = ResolveSpec(service, datasetPath, specOverride);

        var tasks = new List<EvalTask>();
        var read = 0;
        EvalDataException? first = null;
        foreach (var (line, row) in DatasetFiles.ReadJsonLines(datasetPath, report, Format))
        {
            var where = $"{datasetPath}:{DatasetFiles.Invariant(line)}";
            JsonElement info, tools;
            try
            {
                info = InfoOf(row, where);
                tools = DatasetFiles.Required(info, "tools_required", JsonValueKind.Array, $"{where}: info");
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "row", ex);
                continue;
            }

            read++;
            var id = DatasetFiles.String(row, "test_id") ?? $"line {DatasetFiles.Invariant(line)}";
            var service = (DatasetFiles.String(row, "service") ?? DatasetFiles.String(info, "service") ?? "").Trim().ToLowerInvariant();
            if (service == "linear")
            {
                report.Skip("agentdiff: linear is a GraphQL API (its tools are GraphQL fields), not REST", id);
                continue;
            }

            if (service is not ("box" or "slack" or "calendar"))
            {
                report.Skip($"agentdiff: service '{service}' has no REST spec", id);
                continue;
            }

            var spec = SpecOf(service);
            var gold = new List<EvalCall>();
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(tool.GetString()))
                {
                    report.Skip("agentdiff: a tools_required entry is not a name", $"{id}: {tool.GetRawText()}");
                    continue;
                }

                gold.Add(Translate(service, tool.GetString()!.Trim(), spec));
            }

            if (gold.Count == 0)
            {
                report.Skip("agentdiff: a row has no tools_required", id);
                continue;
            }

            tasks.Add(new EvalTask(id, spec, DatasetFiles.String(row, "question"), gold));
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private static JsonElement InfoOf(JsonElement row, string where)
    {
        if (!row.TryGetProperty("info", out var info))
        {
            throw new EvalDataException($"{where}: the field 'info' is missing.");
        }

        if (info.ValueKind != JsonValueKind.String)
        {
            return info;
        }

        try
        {
            return JsonSerializer.Deserialize<JsonElement>(info.GetString()!);
        }
        catch (JsonException ex)
        {
            throw new EvalDataException($"{where}: the field 'info' is not a JSON string of an object: {ex.Message}", ex);
        }
    }

    private EvalCall Translate(string service, string tool, EvalSpec spec)
    {
        // A label already written as "METHOD /path" needs no translation, whatever the service.
        if (DatasetFiles.ParseEndpoint(tool) is { } endpoint)
        {
            return endpoint;
        }

        var catalog = catalogs.Get(spec);
        return service switch
        {
            "slack" => SlackCall(catalog, tool),
            "calendar" => CalendarCall(catalog, tool),
            _ => new EvalCall("GET", "/" + tool),
        };
    }

    private static EvalCall SlackCall(EndpointCatalog catalog, string method)
    {
        var path = "/" + method;
        var operation = catalog.Operations.FirstOrDefault(o => string.Equals(o.PathTemplate, path, StringComparison.Ordinal))
            ?? catalog.Operations.FirstOrDefault(o => string.Equals(o.PathTemplate, path, StringComparison.OrdinalIgnoreCase));

        // Slack accepts POST for every Web API method, so it is the honest guess for a method the spec lacks.
        return operation is null ? new EvalCall("POST", path) : new EvalCall(operation.Method, operation.PathTemplate);
    }

    private static EvalCall CalendarCall(EndpointCatalog catalog, string discoveryId)
    {
        var operation = catalog.Operations.FirstOrDefault(o =>
            string.Equals(o.OperationId, "calendar." + discoveryId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(o.OperationId, discoveryId, StringComparison.OrdinalIgnoreCase));
        return operation is null ? new EvalCall("GET", "/" + discoveryId) : new EvalCall(operation.Method, operation.PathTemplate);
    }

    private EvalSpec ResolveSpec(string service, string datasetPath, string? specOverride)
    {
        if (specOverride is not null && File.Exists(specOverride))
        {
            return EvalSpec.FromFile(Path.GetFullPath(specOverride));
        }

        string Find(string relative) => specOverride is null
            ? EvalDataLocator.FindFile(datasetPath, $"the {service} spec of Agent-Diff dataset {Path.GetFileName(datasetPath)}", relative)
            : FindIn(specOverride, relative);

        return service switch
        {
            "slack" => EvalSpec.FromFile(Find(SlackSpec)),
            "calendar" => EvalSpec.FromFile(Find(CalendarSpec)),
            _ => MergedBoxSpec(Find(BoxSpec), Find(BoxVersionedSpec)),
        };
    }

    private static string FindIn(string folder, string relative)
    {
        var path = Path.Combine(folder, relative);
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new EvalDataException($"Cannot find {relative} in the spec folder {Path.GetFullPath(folder)}: {Path.GetFullPath(path)} does not exist.");
    }

    private EvalSpec MergedBoxSpec(string main, string versioned)
    {
        lock (_mergeLock)
        {
            if (!_mergedBoxSpecs.TryGetValue((main, versioned), out var spec))
            {
                spec = new EvalSpec("box (openapi.json + openapi-v2025.0.json)", null, OpenApiMerge.Merge(main, versioned));
                _mergedBoxSpecs[(main, versioned)] = spec;
            }

            return spec;
        }
    }
}
