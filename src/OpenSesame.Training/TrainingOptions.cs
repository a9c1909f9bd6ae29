using OpenSesame.Predictor.Candidates;

namespace OpenSesame.Training;

/// <summary>How synthetic sessions become ranking groups and how the ranker is fitted. Defaults are documented here
/// and in docs/EVALUATION.md; every run records the values it used in the model's metadata.</summary>
public sealed class TrainingOptions
{
    /// <summary>A seed for part <paramref name="index"/> of a run. HashCode.Combine would differ per process; this
    /// must not, or a run could not be repeated.</summary>
    public static int DeriveSeed(int seed, int index) => unchecked((seed * 1_000_003) + (index * 7_919) + 17);

    /// <summary>
    /// A uniform draw in [0, 1) for part <paramref name="index"/> of a run from its own <paramref name="stream"/> of draws
    /// (SplitMix64 of seed, index and stream). Choices that must not depend on each other take separate streams:
    /// <see cref="Random"/> objects seeded with <see cref="DeriveSeed"/> of nearby seeds, or with the same seed,
    /// start with related draws, which once made the half of the sessions that measure the calibration the half
    /// without templated histories.
    /// </summary>
    public static double Uniform(int seed, int index, RandomChoice stream)
    {
        var x = unchecked((((ulong)(uint)seed << 32) | (uint)index) + ((ulong)stream * 0x9E3779B97F4A7C15UL));
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (x >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Seed of every random choice (absent positives, history spelling, LightGBM). Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Predictions per request the pool is built for; the pool holds K + a buffer (<see cref="Budget"/>). Default 5.</summary>
    public int K { get; set; } = 5;

    /// <summary>Least number of candidates beyond K, as the service gathers them. Default 15.</summary>
    public int CandidateBuffer { get; set; } = 15;

    /// <summary>Extra candidates per square root of the spec's operation count, as the service gathers them
    /// (<see cref="CandidateBudget"/>). Default 5.</summary>
    public double CandidateBufferPerRootOperation { get; set; } = 5;

    /// <summary>Most candidates beyond K, as the service gathers them. Default 120.</summary>
    public int MaxCandidateBuffer { get; set; } = 120;

    /// <summary>The service's pool-size rule with these settings.</summary>
    public CandidateBudget Budget => new(CandidateBuffer, CandidateBufferPerRootOperation, MaxCandidateBuffer);

    /// <summary>Share of groups whose true call is absent from the pool (the generator missed it, or it was taken out
    /// on purpose), so the model and the calibration learn that "none of these" happens. Default 0.30.</summary>
    public double AbsentShare { get; set; } = 0.30;

    /// <summary>Share of sessions whose history is shown as templates without ids (as task datasets give it). Default 0.3.</summary>
    public double TemplatedHistoryShare { get; set; } = 0.3;

    /// <summary>Share of sessions whose calls carry no timestamps (many clients send none). Default 0.4.</summary>
    public double NoTimestampShare { get; set; } = 0.4;

    /// <summary>Share of groups that also get a simulated language model's answer (<see cref="SimulatedLlm"/>), so the
    /// model learns the LLM features and still ranks well when no LLM ran. Default 0.3.</summary>
    public double SimulatedLlmShare { get; set; } = 0.3;

    /// <summary>Probability that the simulated language model's answer holds the true next call (placed first half the
    /// time, second a quarter, ...). An assumption, not a measurement; retraining on feedback replaces it with the
    /// outcomes of real LLM candidates. Default 0.6.</summary>
    public double SimulatedLlmHitRate { get; set; } = 0.6;

    /// <summary>Candidates in a simulated answer: K plus the LLM generator's own buffer. Default 10.</summary>
    public int SimulatedLlmAnswerSize { get; set; } = 10;

    /// <summary>Share of sessions whose requests see the usage learned from the sessions replayed before them (the
    /// rest see none, as a new spec does), so the model learns to use usage and to do without it. Default 0.3.</summary>
    public double UsageShare { get; set; } = 0.3;

    /// <summary>Users a generated domain's sessions are spread over, each with its own layer of learned usage as the
    /// service keeps one per <c>user_id</c> (recorded sessions belong to their client). Default 8.</summary>
    public int UsersPerDomain { get; set; } = 8;

    /// <summary>Folder that sessions' spec paths (<c>evaldata/specs/...</c>) are relative to; embedded domains need none.
    /// Default <see cref="TrainingCatalogs.DefaultSharedFolder"/> (<c>../shared</c> from the working directory).</summary>
    public string SharedFolder { get; set; } = TrainingCatalogs.DefaultSharedFolder;

    /// <summary>Recorded client traffic to train on as well (a sessions file or folder, relative to
    /// <see cref="SharedFolder"/> unless absolute); its training part (<see cref="Traffic.TrafficSplit"/>) joins the
    /// sessions, its validation part is measured. Null or a missing folder: synthetic sessions only.
    /// Default <c>traffic/sessions</c>.</summary>
    public string? Traffic { get; set; } = "traffic/sessions";

    /// <summary>How many times each recorded training session is replayed (each time spelled and sampled anew):
    /// a few hundred real sessions against thousands of synthetic ones would otherwise barely move the trees.
    /// Chosen on the traffic's validation part and leave-domains-out synthetic data together (docs/EVALUATION.md).
    /// Default 4.</summary>
    public int TrafficRepeats { get; set; } = 4;

    /// <summary>Whether every replay of a recorded session after the first carries prompts written from the spec's
    /// summaries of its calls (<see cref="Traffic.TrafficSessions.WithWrittenPrompts"/>), of a kind drawn as the
    /// synthetic sessions' kinds are; the first replay stays as recorded, without prompts. Default true.</summary>
    public bool WritePromptsForTraffic { get; set; } = true;

    /// <summary>The same settings for measuring real sessions as a client sends them: concrete paths, no timestamps,
    /// no usage, no simulated language model, nothing removed from the pool on purpose.</summary>
    internal TrainingOptions AsClientSendsThem()
    {
        var copy = (TrainingOptions)MemberwiseClone();
        copy.AbsentShare = 0;
        copy.TemplatedHistoryShare = 0;
        copy.NoTimestampShare = 1;
        copy.SimulatedLlmShare = 0;
        copy.UsageShare = 0;
        return copy;
    }

    /// <summary>Domains held out of tree fitting to calibrate scores and report leave-domains-out metrics. Default 2.</summary>
    public int CalibrationDomainCount { get; set; } = 2;

    /// <summary>Compute the semantic (MiniLM) features, as the service does by default. Default true.</summary>
    public bool Semantic { get; set; } = true;

    /// <summary>Compute the data-flow features (which calls produce the ids others need), as the service does by
    /// default. Default true.</summary>
    public bool DataFlow { get; set; } = true;

    /// <summary>Boosting rounds. Default 600: with recorded traffic in the mix, 600 trees of 31 leaves ranked the
    /// validation clients and the leave-domains-out domains better than 300 of 15 (docs/EVALUATION.md, "Model
    /// selection").</summary>
    public int Iterations { get; set; } = 600;

    /// <summary>Leaves per tree. Default 31 (see <see cref="Iterations"/>).</summary>
    public int Leaves { get; set; } = 31;

    /// <summary>Shrinkage of each tree. Default 0.05.</summary>
    public double LearningRate { get; set; } = 0.05;

    /// <summary>Fewest rows a leaf may hold, against overfitting one domain's quirks. Default 50.</summary>
    public int MinExamplesPerLeaf { get; set; } = 50;

    /// <summary>Share of the features each tree may split on, drawn anew per tree (LightGBM's feature_fraction), so that
    /// no few features (the history's, which the synthetic domains make strong) carry every tree, for ranking that
    /// carries over to specs and clients training never saw. Default 1: every tree sees every feature.</summary>
    public double FeatureFraction { get; set; } = 1;
}

/// <summary>The independent streams of <see cref="TrainingOptions.Uniform"/>, one per kind of choice.</summary>
public enum RandomChoice
{
    /// <summary>Whether a calibration domain's session fits the calibration or measures it.</summary>
    CalibrationHalf = 1,

    /// <summary>Whether a session's requests see the usage learned from earlier sessions.</summary>
    SeesUsage = 2,

    /// <summary>Which of its domain's users made a generated session.</summary>
    User = 3,
}
