using Microsoft.Extensions.Configuration;
using Microsoft.FeatureManagement;
using Microsoft.FeatureManagement.FeatureFilters;

namespace OpenSesame.Predictor.Routing;

/// <summary>
/// Gradual rollout of the language-model path and of the cost router, per user, with Microsoft.FeatureManagement's
/// targeting filter: a user is in or out of a percentage by a hash of the user id and the feature name, so the same
/// user gets the same answer on every request and every instance. Configured in the "FeatureManagement" section;
/// a feature the section does not mention is on for everyone (a configured key is the decision to use the LLM).
/// </summary>
/// <example>
/// Half the users get LLM candidates, everyone with them is routed:
/// <code>
/// "FeatureManagement": {
///   "LlmCandidates": { "EnabledFor": [ { "Name": "Microsoft.Targeting", "Parameters": { "Audience": { "DefaultRolloutPercentage": 50 } } } ] }
/// }
/// </code>
/// </example>
internal sealed class LlmRollout(IFeatureManager features, IConfiguration configuration)
{
    /// <summary>The LLM generator and reviewer; off for a user means local candidates only.</summary>
    public const string LlmCandidates = "LlmCandidates";

    /// <summary>The cost router; off for a user means the default model (the cheapest meeting the quality floor) with
    /// no escalation, and no budget-driven degradation beyond local-only at 100 %.</summary>
    public const string CostRouting = "CostRouting";

    /// <summary>Requests without a user id are one user, "anonymous": they are all in or all out.</summary>
    public const string AnonymousUser = "anonymous";

    public async ValueTask<bool> IsEnabledAsync(string feature, string? userId)
    {
        if (!configuration.GetSection("FeatureManagement").GetSection(feature).Exists())
        {
            return true;
        }

        return await features.IsEnabledAsync(feature, new TargetingContext { UserId = userId ?? AnonymousUser });
    }
}
