namespace OpenSesame.Predictor.Outcomes;

/// <summary>
/// Where served predictions and what became of them are kept: each answered prediction's ranked candidates with their
/// feature vectors, and at most one outcome per prediction. Only operation templates, scores and features are stored,
/// never a prompt or a parameter value.
/// </summary>
public interface IOutcomeStore
{
    /// <summary>Logs a served prediction, then deletes what <paramref name="bounds"/> no longer allows (its oldest
    /// predictions and their outcomes).</summary>
    Task SaveServedAsync(ServedPrediction prediction, OutcomeBounds bounds, CancellationToken cancellationToken);

    Task<ServedPrediction?> FindServedAsync(string predictionId, CancellationToken cancellationToken);

    /// <summary>The newest logged prediction of a session (<paramref name="userId"/> null matches predictions made
    /// without one); null when there is none.</summary>
    Task<ServedPrediction?> LatestOfSessionAsync(string? userId, string sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Records an outcome of a logged prediction and returns the one stored afterwards, or null when the prediction is
    /// not (or no longer) logged. One outcome per prediction: an explicit one replaces whatever is stored, except an
    /// identical explicit one, which is kept as it was (its time included); an implicit one is stored only when the
    /// prediction has none.
    /// </summary>
    Task<RecordedOutcome?> RecordOutcomeAsync(RecordedOutcome outcome, CancellationToken cancellationToken);

    Task<RecordedOutcome?> FindOutcomeAsync(string predictionId, CancellationToken cancellationToken);

    /// <summary>Deletes the predictions (with their outcomes) that <paramref name="bounds"/> no longer allows; returns
    /// how many.</summary>
    Task<int> TrimAsync(OutcomeBounds bounds, CancellationToken cancellationToken);
}

/// <summary>What the store may keep: predictions logged at or after <paramref name="Cutoff"/>, at most
/// <paramref name="MaxPredictions"/> of them (the newest).</summary>
public sealed record OutcomeBounds(DateTimeOffset Cutoff, int MaxPredictions);

/// <summary>A prediction as it was answered, for learning from its outcome.</summary>
/// <param name="SpecHash">The content hash of the spec it was made on.</param>
/// <param name="ModelVersion">The ranker that scored it (the response's <c>model_version</c>).</param>
/// <param name="HistoryLength">How many events the request carried.</param>
/// <param name="HistoryHash">A digest of the operations those events resolved to (see
/// <see cref="HistoryFingerprint"/>), to recognise the same history at the start of a later request.</param>
/// <param name="Served">How many of <paramref name="Candidates"/> the answer showed: the first ones.</param>
/// <param name="Candidates">The ranked pool, best first, as far as it was logged.</param>
/// <param name="FeatureList">The <see cref="Features.FeatureFingerprint"/> of the feature list the vectors follow; null
/// for predictions logged before it was recorded (their vectors' length is all that tells their list).</param>
/// <param name="Caller">Who asked, as learned usage names callers (<c>tenant:</c>/<c>address:</c> and a digest, or
/// <c>local</c>); null for predictions logged before it was recorded.</param>
public sealed record ServedPrediction(
    string PredictionId,
    DateTimeOffset At,
    string? UserId,
    string? SessionId,
    string SpecHash,
    string ModelVersion,
    int HistoryLength,
    string HistoryHash,
    int Served,
    IReadOnlyList<ServedCandidate> Candidates,
    string? FeatureList = null,
    string? Caller = null)
{
    /// <summary>The 1-based place of an operation among the suggestions the answer showed; null when it was not one.</summary>
    public int? RankOf(string endpoint)
    {
        for (var i = 0; i < Math.Min(Served, Candidates.Count); i++)
        {
            if (string.Equals(Candidates[i].Endpoint, endpoint, StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return null;
    }
}

/// <summary>One ranked candidate: the operation ("METHOD /template"), its calibrated score and the feature vector the
/// ranker scored (<c>FeatureSchema</c> order).</summary>
public sealed record ServedCandidate(string Endpoint, double Score, float[] Features);

/// <summary>What became of a prediction.</summary>
/// <param name="Chosen">The operation called ("METHOD /template"); null when the suggestions were ignored.</param>
/// <param name="Rank">The 1-based place of <paramref name="Chosen"/> among the suggestions shown; null when it was not
/// one of them (or nothing was chosen).</param>
public sealed record RecordedOutcome(
    string PredictionId,
    OutcomeKind Kind,
    OutcomeSource Source,
    string? Chosen,
    int? Rank,
    DateTimeOffset At);

/// <summary>How the user responded to a prediction.</summary>
public enum OutcomeKind
{
    /// <summary>The user made one of the suggested calls.</summary>
    Accepted,

    /// <summary>The user made another call, or changed the suggested one.</summary>
    Overridden,

    /// <summary>The user made no use of the suggestions.</summary>
    Ignored,
}

/// <summary>Who said what became of a prediction.</summary>
public enum OutcomeSource
{
    /// <summary><c>POST /feedback</c>.</summary>
    Explicit,

    /// <summary>The session's next prediction request, whose history showed the call made next.</summary>
    Implicit,
}
