namespace OpenSesame.Predictor.Semantics;

/// <summary>
/// How a spec's operation vectors (its <see cref="SemanticIndex"/>) are built (section "Semantics"). Embedding every
/// operation of a large spec takes seconds (GitHub's 744: about 3.5 s on two cores), which no first request should
/// wait for.
/// </summary>
public sealed class SemanticOptions
{
    public const string Section = "Semantics";

    /// <summary>
    /// True (the default, the service's): a request on a spec whose vectors are not built yet is answered without
    /// them (lexical, history, data flow), while one background worker builds them, one spec at a time on one core, for
    /// the requests after it. False: the request waits for them, as training, evaluation and the CLI do, whose answers
    /// must not depend on timing.
    /// </summary>
    public bool BackgroundIndexing { get; set; } = true;

    /// <summary>
    /// Specs of at most this many operations get their vectors before the first request on them is answered, even with
    /// <see cref="BackgroundIndexing"/>: embedding them takes well under a second (the 17-operation sample about
    /// 0.1 s once the model is loaded), and answering without them changes the answer (the README's example put three
    /// reads first and finalize nowhere until the vectors were ready). Default 100; 0: every spec in the background.
    /// </summary>
    public int InlineIndexOperations { get; set; } = 100;

    /// <summary>Specs waiting for the background worker. Default 8; a spec that finds the queue full is asked for again
    /// by its next request, so a burst of new specs cannot pile up work (or memory) without bound.</summary>
    public int MaxQueuedIndexes { get; set; } = 8;

    /// <summary>Operations of the largest spec given vectors at all. Default 10,000 (about two core-minutes of
    /// embedding); a larger spec is served without them, whatever <see cref="BackgroundIndexing"/> says.</summary>
    public int MaxIndexedOperations { get; set; } = 10_000;

    /// <summary>
    /// Texts (prompts, operations) whose vectors are kept in memory, least recently used forgotten first; a forgotten
    /// operation's vector is read back from the store, a prompt's encoded again. Default 50,000, about 80 MB at 1.5 KB
    /// a vector: every distinct prompt of a default training run (about 11,000 in 10,000 sessions) and the operations
    /// of the cached specs fit, far more than a service's live sessions repeat.
    /// </summary>
    public int VectorCacheCapacity { get; set; } = 50_000;

    /// <summary>
    /// Where the sentence encoder's model (87 MB, from its package) is kept as a file for ONNX Runtime to read, which
    /// holds far less memory while the model loads than handing it the model from memory (docs/PERFORMANCE.md, "The
    /// encoder's model read from a file"). Written on first use, read by every process after. Unset (the default): the
    /// <c>encoder</c> folder of <c>Storage:DataDirectory</c>, the one folder the service writes; empty reads the model
    /// into memory, as training does (it has no data directory of its own), and so does a folder that cannot be written
    /// (with a warning).
    /// </summary>
    public string? EncoderDirectory { get; set; }

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        MaxQueuedIndexes < 1 || MaxIndexedOperations < 1 || VectorCacheCapacity < 1
            ? "Semantics: MaxQueuedIndexes, MaxIndexedOperations and VectorCacheCapacity must be at least 1."
        : InlineIndexOperations < 0 ? "Semantics:InlineIndexOperations must not be negative." : null;
}
