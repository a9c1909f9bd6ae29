using System.Text.Json;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// The neutral format: any next-call question written down by hand or exported from another tool, one per line.
/// <code>
/// {"id": "optional name",
///  "spec": "specs/petstore.yaml",          // relative to the .jsonl file's folder, or absolute
///  "prompt": "Adopt a cat" | null,          // optional
///  "events": [{"endpoint": "GET /pets", "params": {"limit": 10}}, ...],   // the history, oldest first; may be []
///  "expected": "POST /pets/{petId}/adopt"}  // the next call: "METHOD /path", templated or concrete
/// </code>
/// A line becomes one task whose gold is the events followed by the expected call, with
/// <see cref="EvalTask.FirstTarget"/> = the number of events: the events are history only, and the line asks exactly one
/// question. Event endpoints may be concrete or templated; <c>params</c> values may be any JSON (non-strings are kept as
/// JSON text). Blank lines are ignored. A spec override replaces every line's spec. A malformed line (bad JSON, a field
/// missing, a spec that does not exist) is skipped and reported; a file without a readable line throws.
/// </summary>
internal sealed class JsonlAdapter : IEvalDatasetAdapter
{
    public string Format => "jsonl";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        var specs = new Dictionary<string, EvalSpec>(StringComparer.Ordinal);
        var overridden = specOverride is null ? null : EvalSpec.FromFile(Path.GetFullPath(specOverride));
        var tasks = new List<EvalTask>();
        EvalDataException? first = null;
        foreach (var (line, row) in DatasetFiles.ReadJsonLines(datasetPath, report, Format))
        {
            var where = $"{datasetPath}:{DatasetFiles.Invariant(line)}";
            try
            {
                tasks.Add(TaskOf(row, line, datasetPath, where, overridden, specs));
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "line", ex);
            }
        }

        DatasetFiles.ThrowIfNoneRead(tasks.Count, first);
        return tasks;
    }

    private static EvalTask TaskOf(JsonElement row, int line, string datasetPath, string where, EvalSpec? overridden,
        Dictionary<string, EvalSpec> specs)
    {
        var spec = overridden ?? SpecOf(row, datasetPath, where, specs);
        var gold = new List<EvalCall>();
        if (row.TryGetProperty("events", out var events) && events.ValueKind != JsonValueKind.Null)
        {
            if (events.ValueKind != JsonValueKind.Array)
            {
                throw new EvalDataException($"{where}: 'events' is not a list.");
            }

            foreach (var e in events.EnumerateArray())
            {
                var endpoint = DatasetFiles.String(e, "endpoint")
                    ?? throw new EvalDataException($"{where}: an event has no 'endpoint' string.");
                var parameters = e.TryGetProperty("params", out var p) ? DatasetFiles.Parameters(p) : null;
                gold.Add(Call(endpoint, parameters, where));
            }
        }

        var expected = DatasetFiles.String(row, "expected")
            ?? throw new EvalDataException($"{where}: the field 'expected' is missing or is not a string.");
        var history = gold.Count;
        gold.Add(Call(expected, null, where));
        var id = DatasetFiles.String(row, "id") ?? $"{Path.GetFileName(datasetPath)}:{DatasetFiles.Invariant(line)}";
        return new EvalTask(id, spec, DatasetFiles.String(row, "prompt"), gold, history);
    }

    private static EvalCall Call(string endpoint, IReadOnlyDictionary<string, string>? parameters, string where) =>
        DatasetFiles.ParseEndpoint(endpoint, parameters)
        ?? throw new EvalDataException($"{where}: '{endpoint}' is not \"METHOD /path\".");

    private static EvalSpec SpecOf(JsonElement row, string datasetPath, string where, Dictionary<string, EvalSpec> specs)
    {
        var relative = DatasetFiles.String(row, "spec")
            ?? throw new EvalDataException($"{where}: the field 'spec' is missing (or pass a spec for the whole file).");
        var path = EvalDataLocator.Resolve(relative, datasetPath);
        if (specs.TryGetValue(path, out var spec))
        {
            return spec;
        }

        if (!File.Exists(path))
        {
            throw new EvalDataException($"{where}: the spec '{relative}' does not exist (looked for {path}).");
        }

        return specs[path] = EvalSpec.FromFile(path);
    }
}
