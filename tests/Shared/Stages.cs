using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Testing;

/// <summary>The pipeline's stages one at a time, as <c>CandidatePipeline</c> chains them, for tests of one stage.</summary>
internal static class Stages
{
    /// <summary>What every generator gets for this context: its features and the local ordering of the spec.</summary>
    public static CandidateRequest Request(PredictionContext context, int k = 5)
    {
        var features = new RequestFeatures(context);
        return new CandidateRequest(context, features, Shortlist.Build(features), k);
    }

    /// <summary>The local generator's first <paramref name="count"/> proposals.</summary>
    public static IReadOnlyList<ProposedCall> Local(PredictionContext context, int count) =>
        [.. Request(context).Shortlist.Take(count).Select(operation => new ProposedCall(operation))];

    /// <summary>One generator's proposals as the ranker sees them when the critic lets everything through unchanged.</summary>
    public static RankingRequest Unreviewed(PredictionContext context, IReadOnlyList<ProposedCall> calls,
        string generator = GeneratorNames.Local)
    {
        var pool = CandidatePool.Merge([(generator, calls)]);
        return RankingRequest.Describe(context, new RequestFeatures(context),
            [.. pool.Candidates.Select(c => new ReviewedCandidate(c, new Dictionary<string, object?>(), Destructive: false))],
            pool.Answered);
    }
}
