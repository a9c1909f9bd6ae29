using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// Asks a chat model for the next calls: the local generator's best operations, the history and the prompt go in,
/// <see cref="LlmAnswerParser"/> reads the answer, and only operations of the spec come out: near misses repaired by
/// <see cref="OperationRepair"/>, anything else (a hallucination) dropped. The router chooses the model (or none, and
/// then the generator contributes nothing), each try gets <see cref="LlmOptions.AttemptTimeout"/>, and past
/// <see cref="LlmOptions.Deadline"/> the generator returns nothing, so the local candidates answer alone. It never
/// fails a prediction.
/// </summary>
internal sealed class LlmCandidateGenerator(
    LlmCaller caller,
    IOptions<LlmOptions> options,
    IPiiRedactor redactor,
    ILogger<LlmCandidateGenerator> logger) : ICandidateGenerator
{
    public string Name => GeneratorNames.Llm;

    public async ValueTask<IReadOnlyList<ProposedCall>> GenerateAsync(CandidateRequest request, int count, CancellationToken cancellationToken)
    {
        var context = request.Context;
        // A request that reads as instructions to a language model is answered by local models only.
        if (context.Injection.Flagged)
        {
            return [];
        }

        var settings = options.Value;
        // The pipeline asks every generator for k + its buffer; the model gets k + a smaller buffer of its own,
        // because each output token costs latency.
        var ask = Math.Max(1, request.K) + settings.CandidateBuffer;
        var messages = LlmPrompt.Build(request, ask, settings, redactor);
        var proposals = await caller.AskAsync(context, request.Features.Complexity, messages, settings.Deadline,
            LlmAnswerParser.Parse, cancellationToken);
        return proposals is null ? [] : ToCandidates(context, proposals, ask, logger);
    }

    /// <summary>Proposals mapped onto the catalog by <see cref="OperationRepair"/>: an operation as written, or a near
    /// miss repaired when exactly one operation fits; anything else is dropped. The first proposal of an operation
    /// wins.</summary>
    internal static List<ProposedCall> ToCandidates(PredictionContext context, IReadOnlyList<LlmProposal> proposals, int max,
        ILogger? logger = null)
    {
        var candidates = new List<ProposedCall>();
        var seen = new HashSet<int>();
        var dropped = 0;
        foreach (var proposal in proposals)
        {
            if (candidates.Count >= max)
            {
                break;
            }

            if (HistoryEvent.ParseEndpoint(proposal.Endpoint) is not { } endpoint
                || OperationRepair.Resolve(context.Catalog, endpoint.Method, endpoint.Path) is not { } call)
            {
                dropped++;
                continue;
            }

            if (!seen.Add(call.Operation.Index))
            {
                continue;
            }

            if (call.Repair is not null)
            {
                logger?.LogDebug("Repaired an LLM proposal into {Operation}: {Repair}.", call.Operation.Key, call.Repair);
            }

            var parameters = new Dictionary<string, System.Text.Json.JsonElement>(StringComparer.Ordinal);
            foreach (var (name, value) in proposal.Params)
            {
                parameters[call.RenamedParameters.GetValueOrDefault(name, name)] = value;
            }

            // Ids written into a concrete path ("GET /invoices/in_1") are proposals too.
            foreach (var (name, value) in call.PathValues)
            {
                parameters.TryAdd(name, System.Text.Json.JsonSerializer.SerializeToElement(value));
            }

            candidates.Add(new ProposedCall(call.Operation) { Reason = proposal.Reason, Repair = call.Repair, Params = parameters });
        }

        if (dropped > 0)
        {
            // Not the endpoints themselves: a model's text may carry what the request held.
            logger?.LogDebug("Dropped {Count} LLM proposals that name no operation of the spec, even repaired.", dropped);
        }

        return candidates;
    }
}
