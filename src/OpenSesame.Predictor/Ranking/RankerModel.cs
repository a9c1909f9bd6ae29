using System.Text.Json;
using System.Text.Json.Serialization;
using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Ranking;

/// <summary>Numbers a training run measured on the calibration domains (never seen by the trees).</summary>
public sealed record RankerMetrics(
    int Groups,
    double Coverage,
    double Top1,
    double Top3,
    double Mrr,
    double ExpectedCalibrationError,
    double NegativeLogLikelihood);

/// <summary>What a model was trained on and how, so any number it reports can be traced and rerun.</summary>
/// <param name="Calibration">Measured on the calibration domains' groups without a language model's answer and without
/// learned usage: what the service does with no LLM key on a spec nobody has used yet, comparable across versions.</param>
/// <param name="CalibrationWithSimulatedLlm">The same domains' groups that carry a simulated LLM answer; only as good as
/// the simulation's assumed accuracy. Null for models trained before LLM features existed.</param>
/// <param name="CalibrationWithUsage">The same domains' groups without an LLM answer whose requests saw the usage learned
/// from the domain's earlier sessions. Null for models trained before usage features existed.</param>
/// <param name="TrafficValidation">Measured on the validation part of recorded client traffic (clients the model never
/// trained on), history only, on the pool as built before critique; null when no traffic was given.</param>
/// <param name="TrafficValidationWithWrittenPrompts">The same sessions with prompts written from the spec's summaries
/// (a fixed seed): prompted requests on large real specs; null when no traffic was given or for older models.</param>
/// <param name="RealOutcomes">The deployment's logged outcomes it was trained on as well (<c>opensesame retrain</c>);
/// null for a model trained on synthetic sessions and recorded traffic alone.</param>
public sealed record RankerModelInfo(
    string Version,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Features,
    string DataFile,
    string DataSha256,
    int Sessions,
    int Groups,
    double AbsentShare,
    int Seed,
    IReadOnlyList<string> TrainDomains,
    IReadOnlyList<string> CalibrationDomains,
    IReadOnlyDictionary<string, double> Options,
    RankerMetrics Calibration,
    TimeSpan TrainingTime,
    RankerMetrics? CalibrationWithSimulatedLlm = null,
    RankerMetrics? CalibrationWithUsage = null,
    RankerMetrics? TrafficValidation = null,
    RankerMetrics? TrafficValidationWithWrittenPrompts = null,
    RealOutcomeSummary? RealOutcomes = null);

/// <summary>Which of the deployment's logged outcomes a model was trained on, and which were held out or unusable.</summary>
/// <param name="Groups">Labelled ranking groups added to the trees' training set.</param>
/// <param name="Weight">The weight of each against a synthetic group's 1.</param>
/// <param name="From">When the oldest of them was predicted.</param>
/// <param name="Until">When the newest of them was predicted: outcomes after it were not trained on.</param>
/// <param name="HoldoutGroups">The newest outcomes, held out to measure the model against the serving one.</param>
/// <param name="HoldoutFrom">When the oldest held-out outcome was predicted.</param>
/// <param name="OtherFeatureList">Outcomes skipped because their vectors follow another feature list than this model's.</param>
/// <param name="WithoutPositive">Outcomes whose chosen call was not among the logged candidates: nothing to learn
/// from their order (misses when held out).</param>
/// <param name="Ignored">Outcomes that chose nothing.</param>
/// <param name="Capped">Older labelled outcomes left out by the cap on real groups.</param>
/// <param name="Callers">How many callers the trained groups came from (predictions logged before callers were
/// recorded count as one).</param>
/// <param name="LargestCallerWeight">The factor the groups of the caller with the most of them were weighed down by,
/// so that together they weigh no more than the runner-up's; 1 when no caller outnumbers the others.</param>
public sealed record RealOutcomeSummary(
    int Groups,
    double Weight,
    DateTimeOffset? From,
    DateTimeOffset? Until,
    int HoldoutGroups,
    DateTimeOffset? HoldoutFrom,
    int OtherFeatureList,
    int WithoutPositive,
    int Ignored,
    int Capped,
    int Callers = 0,
    double LargestCallerWeight = 1);

/// <summary>
/// A learned ranker as stored: its description, the tree ensemble, the score calibration, and the per-feature values
/// its explanations compare against.
/// </summary>
public sealed record RankerModel(RankerModelInfo Info, TreeEnsemble Ensemble, ScoreCalibration Calibration)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Version => Info.Version;

    /// <summary>A model trained on another feature list cannot score today's features.</summary>
    public bool MatchesSchema => Info.Features.SequenceEqual(FeatureSchema.Names);
}
