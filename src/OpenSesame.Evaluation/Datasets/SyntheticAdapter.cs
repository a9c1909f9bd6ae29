using System.Text.Json;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// The project's own synthetic sessions (<c>opensesame generate</c> writes the held-out domains to
/// <c>heldout.jsonl</c>, which training never reads). The prompt can change at every step, so each step is its own
/// task: gold = the calls up to and including it, <see cref="EvalTask.FirstTarget"/> = its index, prompt = what the
/// user had typed before it; a session that begins mid-workflow has no task for its first call (nobody asked for it
/// from an empty history). Specs are the embedded domain specs; a spec override does not apply. A line that is not a
/// session, names an unknown domain or has a prompt missing for a call is skipped and reported; a file without a
/// readable session throws.
/// </summary>
internal sealed class SyntheticAdapter : IEvalDatasetAdapter
{
    // The options SyntheticSessionFile writes with; read line by line here so one bad line costs one session.
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public string Format => "synthetic";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride) =>
        Load(datasetPath, specOverride, new EvalReport());

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride, EvalReport report)
    {
        if (!File.Exists(datasetPath))
        {
            throw new EvalDataException($"The synthetic sessions file {datasetPath} does not exist; run 'opensesame generate'.");
        }

        var specs = new Dictionary<string, EvalSpec>(StringComparer.Ordinal);
        var tasks = new List<EvalTask>();
        var index = 0;
        var read = 0;
        EvalDataException? first = null;
        var number = 0;
        foreach (var line in File.ReadLines(datasetPath))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                var session = SessionOf(line, $"{datasetPath}:{DatasetFiles.Invariant(number)}");
                if (!specs.TryGetValue(session.Domain, out var spec))
                {
                    var domain = SyntheticDomains.Get(session.Domain);
                    specs[session.Domain] = spec = new EvalSpec(domain.Name, null, domain.SpecText);
                }

                var gold = session.Calls.Select(c => new EvalCall(c.Method, c.Path, c.Params)).ToList();
                for (var step = session.BeginsMidWorkflow ? 1 : 0; step < gold.Count; step++)
                {
                    tasks.Add(new EvalTask($"{session.Domain}-{index}#{step}", spec, session.Prompts[step], gold[..(step + 1)], step));
                }

                read++;
                index++;
            }
            catch (KeyNotFoundException ex)
            {
                var error = new EvalDataException($"{datasetPath}:{DatasetFiles.Invariant(number)}: {ex.Message}", ex);
                first ??= error;
                DatasetFiles.Malformed(report, Format, "session", error);
            }
            catch (EvalDataException ex)
            {
                first ??= ex;
                DatasetFiles.Malformed(report, Format, "session", ex);
            }
        }

        DatasetFiles.ThrowIfNoneRead(read, first);
        return tasks;
    }

    private static SyntheticSession SessionOf(string line, string where)
    {
        SyntheticSession? session;
        try
        {
            session = JsonSerializer.Deserialize<SyntheticSession>(line, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new EvalDataException($"{where}: not a session: {ex.Message}", ex);
        }

        if (session?.Calls is null || session.Prompts is null || string.IsNullOrEmpty(session.Domain))
        {
            throw new EvalDataException($"{where}: a session needs a domain, calls and prompts.");
        }

        return session.Prompts.Count < session.Calls.Count
            ? throw new EvalDataException($"{where}: {session.Calls.Count} calls but {session.Prompts.Count} prompts.")
            : session;
    }
}
