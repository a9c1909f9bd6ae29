using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;
using Polly.Timeout;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// Asks a chat model for the next calls: the local generator's best operations, the history and the prompt go in,
/// <see cref="LlmAnswerParser"/> reads the answer, and only operations of the spec come out: near misses repaired by
/// <see cref="OperationRepair"/>, anything else (a hallucination) dropped. Providers are tried in order, each within
/// <see cref="LlmOptions.AttemptTimeout"/>; past <see cref="LlmOptions.Deadline"/> the generator returns nothing, so
/// the local candidates answer alone. It never fails a prediction.
/// </summary>
internal sealed class LlmCandidateGenerator(
    LlmProviderList providers,
    IOptions<LlmOptions> options,
    IOptions<PredictionOptions> prediction,
    LlmUsageLog usage,
    IPiiRedactor redactor,
    TimeProvider time,
    ILogger<LlmCandidateGenerator> logger) : ICandidateGenerator
{
    public const string SourceName = "llm";

    public string Name => SourceName;

    public async ValueTask<IReadOnlyList<Candidate>> GenerateAsync(PredictionContext context, int count, CancellationToken cancellationToken)
    {
        // A request that reads as instructions to a language model is answered by local models only.
        if (context.Injection.Flagged)
        {
            return [];
        }

        var settings = options.Value;
        // The pipeline asks every generator for k + its buffer; the model gets k + a smaller buffer of its own,
        // because each output token costs latency.
        var ask = Math.Max(1, count - prediction.Value.CandidateBuffer) + settings.CandidateBuffer;
        using var deadline = new CancellationTokenSource(settings.Deadline, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        using var budget = LlmCallBudget.Begin(time, settings.Deadline, deadline.Token, cancellationToken);
        var messages = LlmPrompt.Build(context, ask, settings, redactor);
        var chatOptions = new ChatOptions { MaxOutputTokens = settings.MaxOutputTokens, Temperature = 0 };
        foreach (var provider in providers.Providers)
        {
            if (linked.IsCancellationRequested)
            {
                break;
            }

            var started = time.GetTimestamp();
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(linked.Token);
            attempt.CancelAfter(settings.AttemptTimeout);
            try
            {
                // WaitAsync: at the timeout or deadline stop waiting at once; unwinding a cancelled call through the
                // SDK and the resilience handlers can take tens of milliseconds the next provider or the answer needs.
                var response = await provider.Client.GetResponseAsync(messages, chatOptions, attempt.Token).WaitAsync(attempt.Token);
                var proposals = LlmAnswerParser.Parse(response.Text);
                Record(context, provider, proposals is null ? "unreadable" : "ok", response.Usage, started);
                if (proposals is null)
                {
                    // A provider that answered in the wrong shape answered; asking another costs a second full
                    // latency for a format slip, so the local candidates serve this request.
                    logger.LogWarning("The {Provider} answer was not the required JSON; no LLM candidates.", provider.Name);
                    return [];
                }

                return ToCandidates(context, proposals, ask, logger);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
            {
                var outcome = deadline.IsCancellationRequested ? "deadline" : "timeout";
                Record(context, provider, outcome, null, started);
                logger.LogWarning("{Provider} gave no answer in time ({Outcome}).", provider.Name, outcome);
            }
            catch (Exception ex) when (LlmResilience.IsOpenCircuit(ex))
            {
                // Skipped without a call: the next provider gets the whole remaining time.
                Record(context, provider, "circuit-open", null, started);
                logger.LogInformation("{Provider} is skipped while its circuit is open.", provider.Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Record(context, provider, "error", null, started);
                logger.LogWarning(ex, "{Provider} failed; trying the next provider.", provider.Name);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return [];
    }

    /// <summary>Proposals mapped onto the catalog by <see cref="OperationRepair"/>: an operation as written, or a near
    /// miss repaired when exactly one operation fits; anything else is dropped. The first proposal of an operation
    /// wins.</summary>
    internal static List<Candidate> ToCandidates(PredictionContext context, IReadOnlyList<LlmProposal> proposals, int max,
        ILogger? logger = null)
    {
        var candidates = new List<Candidate>();
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

            var candidate = new Candidate(call.Operation, SourceName) { ProposedReason = proposal.Reason, Repair = call.Repair };
            foreach (var (name, value) in proposal.Params)
            {
                candidate.ProposedParams[call.RenamedParameters.GetValueOrDefault(name, name)] = value;
            }

            // Ids written into a concrete path ("GET /invoices/in_1") are proposals too.
            foreach (var (name, value) in call.PathValues)
            {
                candidate.ProposedParams.TryAdd(name, System.Text.Json.JsonSerializer.SerializeToElement(value));
            }

            candidate.GeneratorRanks[SourceName] = candidates.Count;
            candidates.Add(candidate);
        }

        if (dropped > 0)
        {
            // Not the endpoints themselves: a model's text may carry what the request held.
            logger?.LogDebug("Dropped {Count} LLM proposals that name no operation of the spec, even repaired.", dropped);
        }

        return candidates;
    }

    private void Record(PredictionContext context, LlmProvider provider, string outcome, UsageDetails? details, long started)
    {
        var elapsed = time.GetElapsedTime(started);
        var input = details?.InputTokenCount;
        var output = details?.OutputTokenCount;
        var cost = options.Value.Provider(provider.Name).Cost(input, output);
        usage.Record(new LlmUsage(provider.Name, provider.Model, outcome, input, output, details?.CachedInputTokenCount, elapsed,
            time.GetUtcNow()));
        context.Trace.LlmCall(new LlmCallTrace(provider.Name, provider.Model, outcome, input, output, cost,
            Math.Round(elapsed.TotalMilliseconds, 3)));
    }
}
