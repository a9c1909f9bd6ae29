using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Predictor.Candidates.Llm;

/// <summary>
/// The optional second pass (<see cref="LlmReviewOptions"/>, off by default): a language model looks at the suggestions
/// of the final list that we doubt (scored below <see cref="LlmReviewOptions.LowConfidence"/>) or that destroy something,
/// and may veto them. Confident, harmless lists cost nothing; a review that fails, times out, answers in the wrong
/// shape or would exceed the prediction's cost cap leaves the list as it was.
/// </summary>
internal sealed class LlmReviewer(
    LlmCaller caller,
    IOptions<LlmOptions> options,
    IPiiRedactor redactor,
    ILogger<LlmReviewer> logger) : ICandidateReviewer
{
    public async ValueTask<IReadOnlyList<ScoredCandidate>> ReviewAsync(RankingRequest request, IReadOnlyList<ScoredCandidate> ranked,
        int k, CancellationToken cancellationToken)
    {
        var context = request.Context;
        var settings = options.Value;
        var review = settings.Review;
        var doubted = ranked.Take(k).Where(c => c.Score < review.LowConfidence || c.Candidate.Destructive).ToList();
        if (doubted.Count == 0 || context.Injection.Flagged || context.Trace.CostUsd >= review.MaxPredictionCostUsd)
        {
            return ranked;
        }

        var messages = LlmPrompt.BuildReview(context, doubted, settings, redactor);
        // The request's max_cost_usd covers the whole prediction: the review may spend what the generation left.
        var left = context.MaxCostUsd is { } cap ? Math.Max(0, cap - context.Trace.CostUsd) : (decimal?)null;
        var vetoed = await caller.AskAsync(context, request.Features.Complexity, messages, review.Deadline, Vetoes, cancellationToken, left);
        if (vetoed is null || vetoed.Count == 0)
        {
            return ranked;
        }

        // Only what was sent can be vetoed: an endpoint the model made up in its review removes nothing.
        var removed = doubted.Where(c => vetoed.Contains(c.Operation.Key)).ToHashSet();
        logger.LogDebug("The review removed {Count} of {Doubted} doubted suggestions.", removed.Count, doubted.Count);
        return [.. ranked.Where(c => !removed.Contains(c))];
    }

    /// <summary>Endpoints the review says to drop, from <c>{"reviews": [{"endpoint", "verdict", "reason"}]}</c>; null
    /// when the answer has another shape or a verdict other than keep or drop.</summary>
    internal static HashSet<string>? Vetoes(string? text) => LlmAnswerParser.ReadObject(text, "reviews", root =>
    {
        if (root.GetProperty("reviews") is not { ValueKind: JsonValueKind.Array } reviews)
        {
            return null;
        }

        var drop = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in reviews.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object
                || !item.TryGetProperty("endpoint", out var endpoint) || endpoint.ValueKind != JsonValueKind.String
                || !item.TryGetProperty("verdict", out var verdict) || verdict.GetString() is not ("keep" or "drop"))
            {
                return null;
            }

            if (verdict.GetString() == "drop")
            {
                drop.Add(endpoint.GetString()!);
            }
        }

        return drop;
    });
}
