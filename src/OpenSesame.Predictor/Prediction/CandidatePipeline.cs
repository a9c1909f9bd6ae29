using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Telemetry;

namespace OpenSesame.Predictor.Prediction;

/// <summary>The reviewed pool, best first, and the request's features it was ranked by.</summary>
public sealed record RankedPool(IReadOnlyList<ScoredCandidate> Ranked, RequestFeatures Features);

/// <summary>
/// The heart of a prediction once the context is known, each stage's output the next one's input: the request's
/// features and the local ordering of the spec are computed once (<see cref="Shortlist"/>); every generator proposes
/// (<see cref="ProposedCall"/>); the proposals merge into a pool of distinct operations (k plus a buffer that grows with the spec, <see cref="CandidateBudget"/>)
/// (<see cref="CandidatePool"/>); the critic drops what must not be suggested and fills parameters
/// (<see cref="ReviewedCandidate"/>); the pool is described by the features and the ranker orders it
/// (<see cref="ScoredCandidate"/>); an optional reviewer may veto doubtful suggestions. The service and the
/// evaluation run exactly this.
/// </summary>
public sealed class CandidatePipeline(IEnumerable<ICandidateGenerator> generators, IOptions<PredictionOptions> options,
    TimeProvider time, IEnumerable<ICandidateReviewer>? reviewers = null)
{
    private readonly ICandidateGenerator[] _generators = [.. generators];
    private readonly ICandidateReviewer[] _reviewers = [.. reviewers ?? []];

    /// <summary>The whole reviewed pool, best first (callers take their k).</summary>
    public async Task<RankedPool> RankAsync(PredictionContext context, int k, ICandidateRanker ranker,
        CancellationToken cancellationToken)
    {
        // "generate" includes the shortlist (metadata.stages_ms has always counted it so), so its span holds the
        // shortlist's and the generators' spans.
        using var generate = PredictorTelemetry.Stage("generate", time);
        using var shortlist = PredictorTelemetry.Stage("shortlist", time);
        var features = new RequestFeatures(context);
        var request = new CandidateRequest(context, features, Shortlist.Build(features), k);
        context.Trace.Stage("shortlist", shortlist.Stop());
        var pool = await CollectAsync(request, options.Value.Budget.PoolSize(k, context.Catalog.Operations.Count), cancellationToken);
        context.Trace.Stage("generate", generate.Stop());

        using var critique = PredictorTelemetry.Stage("critique", time);
        var reviewed = CandidateCritic.Review(context, pool);
        context.Trace.Stage("critique", critique.Stop());

        using var rank = PredictorTelemetry.Stage("rank", time);
        var ranking = RankingRequest.Describe(context, features, reviewed, pool.Answered);
        var ranked = ranker.Rank(ranking, k);
        context.Trace.Stage("rank", rank.Stop());

        foreach (var reviewer in _reviewers)
        {
            using var review = PredictorTelemetry.Stage("review", time);
            ranked = await reviewer.ReviewAsync(ranking, ranked, k, cancellationToken);
            context.Trace.Stage("review", review.Stop());
        }

        return new RankedPool(ranked, features);
    }

    /// <summary>Every generator's proposals, merged into one pool.</summary>
    private async Task<CandidatePool> CollectAsync(CandidateRequest request, int count, CancellationToken cancellationToken)
    {
        var proposals = _generators.Length == 1
            ? [await GenerateAsync(_generators[0], request, count, cancellationToken)]
            // Each on its own thread: a generator waiting on a language model must not wait for the local one first.
            : await Task.WhenAll(_generators.Select(g => Task.Run(() => GenerateAsync(g, request, count, cancellationToken), cancellationToken)));
        var pool = CandidatePool.Merge([.. _generators.Zip(proposals, (g, calls) => (g.Name, calls))]);
        foreach (var generator in pool.Answered)
        {
            request.Context.Trace.Contributed(generator);
        }

        return pool;
    }

    private async Task<IReadOnlyList<ProposedCall>> GenerateAsync(ICandidateGenerator generator, CandidateRequest request,
        int count, CancellationToken cancellationToken)
    {
        var name = "generate." + generator.Name;
        using var stage = PredictorTelemetry.Stage(name, time);
        try
        {
            return await generator.GenerateAsync(request, count, cancellationToken);
        }
        finally
        {
            request.Context.Trace.Stage(name, stage.Stop());
        }
    }
}
