using OpenSesame.Predictor.Candidates;

namespace OpenSesame.Predictor.Prediction;

/// <summary>Limits and sizes of a prediction. Section "Prediction" of the configuration.</summary>
public sealed class PredictionOptions
{
    public const string Section = "Prediction";

    /// <summary>Predictions returned when the request names no <c>k</c>. Default 5.</summary>
    public int DefaultK { get; set; } = 5;

    /// <summary>Largest <c>k</c> a request may ask for. Default 20.</summary>
    public int MaxK { get; set; } = 20;

    /// <summary>Least number of candidates gathered beyond <c>k</c>, so the critic can drop some and the ranker still
    /// has a choice. Default 15.</summary>
    public int CandidateBuffer { get; set; } = 15;

    /// <summary>Extra candidates per square root of the spec's operation count (<see cref="CandidateBudget"/>):
    /// 12 operations keep the least buffer, 468 (Stripe) gather 109 beyond k. Default 5: against 3, it held the true
    /// call in more of the validation clients' pools (0.744 → 0.815) and ranked them better (docs/EVALUATION.md,
    /// "Model selection").</summary>
    public double CandidateBufferPerRootOperation { get; set; } = 5;

    /// <summary>Most candidates gathered beyond <c>k</c>, whatever the spec's size. Default 120 (the GitHub spec's
    /// 1,000-odd operations reach it).</summary>
    public int MaxCandidateBuffer { get; set; } = 120;

    /// <summary>The pool-size rule these settings make.</summary>
    public CandidateBudget Budget => new(CandidateBuffer, CandidateBufferPerRootOperation, MaxCandidateBuffer);

    /// <summary>Most history events a request may carry. Default 50.</summary>
    public int MaxEvents { get; set; } = 50;

    /// <summary>Longest event <c>endpoint</c> accepted ("METHOD /path"), in characters. Default 2,048, the longest URL
    /// many proxies and browsers pass.</summary>
    public int MaxEndpointLength { get; set; } = 2048;

    /// <summary>Longest prompt accepted, in characters. Default 4,000.</summary>
    public int MaxPromptLength { get; set; } = 4000;

    /// <summary>Deepest nesting of an event's <c>params</c> (an object holding an object is depth 2). Default 5.</summary>
    public int MaxParamsDepth { get; set; } = 5;

    /// <summary>Largest <c>params</c> of one event, in bytes of JSON. Default 16 KB.</summary>
    public int MaxParamsBytes { get; set; } = 16 * 1024;

    /// <summary>Match prompts to operations by meaning with local MiniLM embeddings (about 10 ms per prompt, and a
    /// one-off pass over each new spec's operations). The learned ranker is trained with it on. Default true.</summary>
    public bool SemanticRetrieval { get; set; } = true;

    /// <summary>Use the spec's data-flow graph: propose the search or list that yields an id the prompt's target needs,
    /// and favour calls that consume what the last call returned. The learned ranker is trained with it on. Default true.</summary>
    public bool DataFlow { get; set; } = true;

    /// <summary>Make one local prediction on a small built-in spec while the service starts, before it listens, so the
    /// first client's request does not pay for compiling the prediction code (<see cref="StartupWarmUp"/>; the CLI
    /// never does). Nothing is recorded. Default true.</summary>
    public bool WarmUp { get; set; } = true;
}
