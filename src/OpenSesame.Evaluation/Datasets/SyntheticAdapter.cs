using System.Text.Json;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Evaluation.Datasets;

/// <summary>
/// The project's own synthetic sessions (<c>opensesame generate</c> writes the held-out domains to
/// <c>heldout.jsonl</c>, which training never reads). The prompt can change at every step, so each step is its own
/// task: gold = the calls up to and including it, <see cref="EvalTask.FirstTarget"/> = its index, prompt = what the
/// user had typed before it. Specs are the embedded domain specs; a spec override does not apply.
/// </summary>
internal sealed class SyntheticAdapter : IEvalDatasetAdapter
{
    public string Format => "synthetic";

    public IEnumerable<EvalTask> Load(string datasetPath, string? specOverride)
    {
        if (!File.Exists(datasetPath))
        {
            throw new EvalDataException($"The synthetic sessions file {datasetPath} does not exist; run 'opensesame generate'.");
        }

        var specs = new Dictionary<string, EvalSpec>(StringComparer.Ordinal);
        var index = 0;
        IEnumerable<SyntheticSession> sessions;
        try
        {
            sessions = SyntheticSessionFile.Read(datasetPath).ToList();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException)
        {
            throw new EvalDataException($"{datasetPath}: {ex.Message}", ex);
        }

        foreach (var session in sessions)
        {
            if (!specs.TryGetValue(session.Domain, out var spec))
            {
                var domain = SyntheticDomains.Get(session.Domain);
                specs[session.Domain] = spec = new EvalSpec(domain.Name, null, domain.SpecText);
            }

            var gold = session.Calls.Select(c => new EvalCall(c.Method, c.Path, c.Params)).ToList();
            for (var step = 0; step < gold.Count; step++)
            {
                yield return new EvalTask($"{session.Domain}-{index}#{step}", spec, session.Prompts[step], gold[..(step + 1)], step);
            }

            index++;
        }
    }
}
