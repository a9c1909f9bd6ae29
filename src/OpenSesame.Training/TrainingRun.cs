using System.Text.Json.Serialization;
using OpenSesame.Predictor.Ranking;

namespace OpenSesame.Training;

/// <summary>What one training run made: the model, what it measured on the synthetic suite, and what the baseline it
/// was given (the serving model) measured on the very same groups.</summary>
public sealed record TrainingRun(RankerModel Model, SuiteMetrics Measures, SuiteMetrics? Baseline);

/// <summary>
/// The synthetic suite a training run measures every model on: the calibration domains (never fitted) without and
/// with learned usage and with a simulated LLM answer, and the recorded traffic's validation clients without and with
/// written prompts. A part is null when the run had no such groups.
/// </summary>
public sealed record SuiteMetrics(
    RankerMetrics Calibration,
    RankerMetrics? WithUsage,
    RankerMetrics? WithSimulatedLlm,
    RankerMetrics? TrafficValidation,
    RankerMetrics? TrafficValidationWithWrittenPrompts)
{
    /// <summary>Per calibration group (the groups of <see cref="Calibration"/>, in order): whether the true call was in
    /// the top 3, so two models measured on the same groups can be compared case by case. Null for metrics read back
    /// from a model's metadata.</summary>
    [JsonIgnore]
    public IReadOnlyList<bool>? CalibrationTop3 { get; init; }

    /// <summary>What a model measured when it was trained, from its metadata.</summary>
    public static SuiteMetrics Of(RankerModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        return new(info.Calibration, info.CalibrationWithUsage, info.CalibrationWithSimulatedLlm, info.TrafficValidation,
            info.TrafficValidationWithWrittenPrompts);
    }
}

/// <summary>Labelled groups of the deployment's logged outcomes to train on, and what they are.</summary>
/// <param name="Fingerprint">Names exactly these groups and their weight (a digest of their predictions' ids), so that
/// the model's version differs from one trained on the same synthetic file with other outcomes.</param>
internal sealed record RealTrainingGroups(IReadOnlyList<TrainingGroup> Groups, RealOutcomeSummary Summary, string Fingerprint);
