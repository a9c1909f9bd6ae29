namespace OpenSesame.Predictor.Outcomes;

/// <summary>What became of predictions: section "Outcomes" of the configuration.</summary>
public sealed class OutcomeOptions
{
    public const string Section = "Outcomes";

    /// <summary>
    /// Log every answered prediction's ranked candidates with their feature vectors (operation templates, scores and
    /// features only: no prompt, no parameter values) and accept <c>POST /feedback</c> on them, so that an outcome is a
    /// labelled ranking group without recomputing anything. Off, nothing is logged and every feedback answers 404.
    /// Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Learn outcomes without being told: when a prediction request of a session carries the history of the session's
    /// previous prediction followed by more calls, the first of them is what was really called next, and it is recorded
    /// as that prediction's implicit outcome (accepted when it was among the suggestions, overridden otherwise), unless
    /// explicit feedback already exists; explicit feedback arriving later replaces it. Default true.
    /// </summary>
    public bool ImplicitFromNextRequest { get; set; } = true;

    /// <summary>Logged predictions, and their outcomes, older than this are deleted. Default 30 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The most logged predictions kept; the oldest beyond it are deleted (with their outcomes) as new ones are written.
    /// At the default 20 candidates of 51 four-byte features a logged prediction holds 4.1 KB of vectors plus its
    /// templates and scores, so the default 50,000 is a few hundred megabytes at most.
    /// </summary>
    public int MaxServedPredictions { get; set; } = 50_000;

    /// <summary>
    /// Candidates logged per prediction: the ones the answer showed (its k), then the best-ranked of the rest of the
    /// pool up to this many, because a call the user chose over the suggestions is often just below them and a ranking
    /// group needs its positive's features. Never fewer than the answer showed. Default 20.
    /// </summary>
    public int CandidatesPerPrediction { get; set; } = 20;

    /// <summary>How often expired and surplus predictions are looked for besides at each write (so retention holds
    /// while no prediction is made). Default every hour.</summary>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);
}
