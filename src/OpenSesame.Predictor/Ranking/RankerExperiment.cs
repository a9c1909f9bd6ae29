using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// An A/B comparison of two model versions: the users the <see cref="Feature"/> feature targets (Microsoft's targeting
/// filter: a user is in a percentage by a hash of the user id and the feature name, the same on every request and
/// every instance) are ranked by the challenger (<see cref="RankingOptions.Challenger"/>), everyone else by the current
/// version. Each prediction names its model, and the outcome log keeps it, so the two are compared on real outcomes.
/// </summary>
/// <example>
/// A fifth of the users get version ltr-20261206-131058-13619239:
/// <code>
/// "Ranking": { "Challenger": "ltr-20261206-131058-13619239" },
/// "FeatureManagement": {
///   "RankerChallenger": { "EnabledFor": [ { "Name": "Microsoft.Targeting", "Parameters": { "Audience": { "DefaultRolloutPercentage": 20 } } } ] }
/// }
/// </code>
/// </example>
public sealed class RankerExperiment(IRankerSource rankers, IFeatureManager features)
{
    public const string Feature = "RankerChallenger";

    /// <summary>Requests without a user id are one user: all in or all out.</summary>
    private const string AnonymousUser = "anonymous";

    /// <summary>The ranker of this user's variant: the challenger when one is loaded and the feature targets them.</summary>
    public async ValueTask<ICandidateRanker> ForAsync(string? userId)
    {
        var current = rankers.Current;
        return rankers.Challenger is { } challenger
               && await features.IsEnabledAsync(Feature, new TargetingContext { UserId = userId ?? AnonymousUser })
            ? challenger
            : current;
    }
}
