using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Ranking;

/// <summary>Orders a reviewed pool. The heuristic and the learned ranker are interchangeable behind it.</summary>
public interface ICandidateRanker
{
    /// <summary>Reported as <c>model_version</c> in responses.</summary>
    string Version { get; }

    /// <summary>The candidates, best first, with scores in [0, 1] that do not increase down the list; the first
    /// <paramref name="explain"/> of them also get their <see cref="ScoredCandidate.Why"/>.</summary>
    IReadOnlyList<ScoredCandidate> Rank(RankingRequest request, int explain);
}

/// <summary>What a ranker ranks: the reviewed pool of one request and each candidate's feature vector.</summary>
/// <param name="Vectors">The feature vector of each candidate, in the order of <paramref name="Candidates"/>.</param>
public sealed record RankingRequest(
    PredictionContext Context,
    RequestFeatures Features,
    IReadOnlyList<ReviewedCandidate> Candidates,
    IReadOnlyList<float[]> Vectors)
{
    /// <summary>The pool described by the request's features, once, for whichever ranker serves.</summary>
    /// <param name="answered">The generators that answered the request.</param>
    public static RankingRequest Describe(PredictionContext context, RequestFeatures features,
        IReadOnlyList<ReviewedCandidate> candidates, IReadOnlyList<string> answered) =>
        new(context, features, candidates,
            [.. candidates.Select(c => features.Vector(c.Operation, c.Candidate.Ranks, answered))]);
}

/// <summary>A candidate with its place in the answer: its features, its calibrated score and, for the first k, the
/// reason in words.</summary>
/// <param name="Score">Probability-like, in [0, 1].</param>
/// <param name="Why">The main reasons, in words; empty beyond the explained head of the list.</param>
public sealed record ScoredCandidate(ReviewedCandidate Candidate, float[] Features, double Score, string Why)
{
    public ApiOperation Operation => Candidate.Operation;

    public IReadOnlyDictionary<string, object?> Params => Candidate.Params;

    public bool Destructive => Candidate.Destructive;

    /// <summary>Who proposed it: "local", "llm", or "local+llm".</summary>
    public string Source => Candidate.Candidate.Source;
}
