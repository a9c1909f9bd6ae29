namespace OpenSesame.Predictor.Features;

/// <summary>
/// The transparent, hand-weighted score: a sum of named features times weights anyone can read and argue with.
/// It picks the local generator's pool and is the <c>heuristic</c> baseline the learned ranker must beat.
/// </summary>
internal static class HeuristicScorer
{
    private static readonly (int Feature, float Weight)[] Weights =
    [
        (FeatureSchema.Lexical, 3.0f),
        (FeatureSchema.LexicalRank, 1.0f),
        (FeatureSchema.PromptResourceMatch, 0.8f),
        (FeatureSchema.ResourceOverlap, 1.2f),
        (FeatureSchema.PathSame, 0.3f),
        (FeatureSchema.PathChild, 1.0f),
        (FeatureSchema.PathParent, 0.3f),
        (FeatureSchema.PathSibling, 0.3f),
        (FeatureSchema.LifecyclePrior, 2.0f),
        (FeatureSchema.ParamsAvailable, 1.0f),
        (FeatureSchema.UsesLastId, 0.8f),
        (FeatureSchema.Recency, 0.4f),
        (FeatureSchema.TransitionSeen, 0.8f),
        (FeatureSchema.DestructiveWithoutIntent, -3.0f),
        (FeatureSchema.Deprecated, -0.5f),
        (FeatureSchema.SlotEntitySeen, 0.3f),
        (FeatureSchema.NeedsListedEntity, 1.0f),
        (FeatureSchema.PromptNamesKnownId, 0.8f),
        (FeatureSchema.Semantic, 2.0f),
        (FeatureSchema.SemanticRank, 1.0f),
        (FeatureSchema.IntentKindMatch, 0.5f),
        (FeatureSchema.ConsumesFromLast, 0.6f),
        (FeatureSchema.ProducesForPromptTarget, 1.2f),
    ];

    // Entry points matter when there is nothing else to go on; a prompt or a history speaks louder.
    private const float EntryPointWithoutContext = 1.5f;
    private const float EntryPointWithPrompt = 0.5f;
    private const float EntryPointWithHistory = 0.2f;

    public static float Score(ReadOnlySpan<float> features) => Sum(features, withPromptWords: true);

    /// <summary>The score without the prompt's words: what the history alone suggests.</summary>
    public static float HistoryScore(ReadOnlySpan<float> features) => Sum(features, withPromptWords: false);

    /// <summary>Each feature's share of the score, for explanations.</summary>
    public static IEnumerable<(int Feature, float Value)> Contributions(float[] features)
    {
        foreach (var (feature, weight) in Weights)
        {
            if (features[feature] != 0)
            {
                yield return (feature, weight * features[feature]);
            }
        }

        if (features[FeatureSchema.EntryPoint] != 0)
        {
            yield return (FeatureSchema.EntryPoint, EntryWeight(features) * features[FeatureSchema.EntryPoint]);
        }
    }

    // The contributions added up as Enumerable.Sum adds floats (in a double, in order), so a score is the same float
    // as the sum of the contributions it is explained by; a loop because every operation of a spec is scored per request.
    private static float Sum(ReadOnlySpan<float> features, bool withPromptWords)
    {
        var sum = 0.0;
        foreach (var (feature, weight) in Weights)
        {
            if (features[feature] != 0 && (withPromptWords || !IsLexical(feature)))
            {
                sum += weight * features[feature];
            }
        }

        if (features[FeatureSchema.EntryPoint] != 0)
        {
            sum += EntryWeight(features) * features[FeatureSchema.EntryPoint];
        }

        return (float)sum;
    }

    private static float EntryWeight(ReadOnlySpan<float> features) =>
        features[FeatureSchema.HistoryLength] > 0 ? EntryPointWithHistory
        : features[FeatureSchema.HasPrompt] > 0 ? EntryPointWithPrompt
        : EntryPointWithoutContext;

    public static bool IsLexical(int feature) =>
        feature is FeatureSchema.Lexical or FeatureSchema.LexicalRank or FeatureSchema.PromptResourceMatch
            or FeatureSchema.Semantic or FeatureSchema.SemanticRank or FeatureSchema.ProducesForPromptTarget;
}
