using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Predictor.Outcomes;

/// <summary>
/// After a prediction is answered: logs what it served (the ranked candidates with their feature vectors, so that an
/// outcome makes a labelled ranking group without recomputing anything) and reads from its history what became of the
/// session's previous prediction. A session's requests usually resend its growing history, so when this request's
/// events start with exactly the operations the previous prediction's request carried and go on, the first call after
/// them is what was really called next: an implicit outcome of that prediction, "accepted" with its rank when it was
/// one of the suggestions, "overridden" otherwise. Only the newest prediction of a session (same <c>session_id</c> and
/// <c>user_id</c>, same spec) is joined, and only when the request names a session. The store keeps one outcome per
/// prediction and never lets an implicit one replace an explicit one, so nothing is counted twice.
/// </summary>
public sealed class OutcomeRecorder(IOutcomeStore store, RecordWriter recording, IOptions<OutcomeOptions> options, TimeProvider time)
{
    /// <param name="ranked">The whole ranked pool, best first.</param>
    /// <param name="served">How many of them the answer showed.</param>
    /// <param name="modelVersion">The ranker that scored them.</param>
    /// <param name="caller">Who asked, as learned usage names callers (a kind and a digest), so that retraining can
    /// bound what any one caller's outcomes weigh.</param>
    public async Task RecordServedAsync(PredictionContext context, IReadOnlyList<ScoredCandidate> ranked, int served,
        string modelVersion, string? caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(ranked);
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var now = time.GetUtcNow();
        served = Math.Min(served, ranked.Count);
        var logged = ranked.Take(Math.Max(served, settings.CandidatesPerPrediction))
            .Select(c => new ServedCandidate(c.Operation.Key, c.Score, c.Features))
            .ToList();
        var user = context.StoredUserId;
        var prediction = new ServedPrediction(context.PredictionId, now, user, context.SessionId,
            context.Catalog.ContentHash, modelVersion, context.History.Count,
            HistoryFingerprint.Of(context.History, context.History.Count), served, logged, FeatureFingerprint.Current, caller);
        // The answer is worth more than what is learned from it: the queue writes it and reports a failure. It writes
        // in order, so the session's previous prediction is logged before this one looks for it.
        await recording.WriteAsync("outcomes", context.PredictionId, async ct =>
        {
            if (settings.ImplicitFromNextRequest && context.SessionId is { } session
                && await store.LatestOfSessionAsync(user, session, ct) is { } previous
                && NextCall(previous, context) is { } next)
            {
                var rank = previous.RankOf(next.Key);
                await store.RecordOutcomeAsync(new RecordedOutcome(previous.PredictionId,
                    rank is null ? OutcomeKind.Overridden : OutcomeKind.Accepted, OutcomeSource.Implicit, next.Key, rank, now), ct);
            }

            await store.SaveServedAsync(prediction, new OutcomeBounds(now - settings.Retention, settings.MaxServedPredictions), ct);
        });
    }

    /// <summary>The operation called right after the history of <paramref name="previous"/>, when this request's
    /// history continues it on the same spec; null when it does not, or when that call is no operation of the spec.</summary>
    internal static ApiOperation? NextCall(ServedPrediction previous, PredictionContext context)
    {
        var history = context.History;
        if (!string.Equals(previous.SpecHash, context.Catalog.ContentHash, StringComparison.Ordinal)
            || history.Count <= previous.HistoryLength
            || !string.Equals(HistoryFingerprint.Of(history, previous.HistoryLength), previous.HistoryHash, StringComparison.Ordinal))
        {
            return null;
        }

        var next = history[previous.HistoryLength];
        return next.Match.Kind is MatchKind.Exact or MatchKind.Alias ? next.Operation : null;
    }
}

/// <summary>
/// A digest of a history as operations: each event's "METHOD /template" (an event no operation of the spec matches counts
/// as its method and "?"), so ids, values and timestamps neither reach the store nor tell two resendings apart.
/// </summary>
public static class HistoryFingerprint
{
    /// <summary>The SHA-256 (hex) of the first <paramref name="count"/> events' operations.</summary>
    public static string Of(IReadOnlyList<ResolvedEvent> history, int count)
    {
        ArgumentNullException.ThrowIfNull(history);
        var text = new StringBuilder();
        foreach (var resolved in history.Take(count))
        {
            text.Append(resolved.Operation?.Key ?? resolved.Event.Method + " ?").Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
