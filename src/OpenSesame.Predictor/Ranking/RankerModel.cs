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
    RankerMetrics? TrafficValidationWithWrittenPrompts = null);

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
