using System.CommandLine;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Storage;
using OpenSesame.Training;

namespace OpenSesame.Cli;

/// <summary>The options <c>train</c> and <c>retrain</c> share, so a retraining fits its candidate exactly as
/// <c>opensesame train</c> would with the same arguments.</summary>
internal sealed class TrainingArguments
{
    private static readonly TrainingOptions Defaults = new();

    private readonly Option<string?> _data = new("--data") { Description = "Sessions to train on (default: training/train.jsonl inside the data directory)." };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of the training run.", DefaultValueFactory = _ => Defaults.Seed };
    private readonly Option<int> _iterations = new("--iterations") { Description = "Boosting rounds.", DefaultValueFactory = _ => Defaults.Iterations };
    private readonly Option<int> _leaves = new("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => Defaults.Leaves };
    private readonly Option<double> _learningRate = new("--learning-rate") { Description = "Shrinkage per tree.", DefaultValueFactory = _ => Defaults.LearningRate };
    private readonly Option<int> _minExamplesPerLeaf = new("--min-examples-per-leaf") { Description = "Fewest rows a leaf may hold.", DefaultValueFactory = _ => Defaults.MinExamplesPerLeaf };
    private readonly Option<double> _featureFraction = new("--feature-fraction") { Description = "Share of the features each tree may split on (1: all).", DefaultValueFactory = _ => Defaults.FeatureFraction };
    private readonly Option<double> _usageShare = new("--usage-share") { Description = "Share of sessions that see the usage learned from earlier sessions (0 trains a model that never uses it).", DefaultValueFactory = _ => Defaults.UsageShare };
    private readonly Option<int> _calibration = new("--calibration-domains") { Description = "Domains left out of tree fitting to calibrate and measure.", DefaultValueFactory = _ => Defaults.CalibrationDomainCount };
    private readonly Option<string> _shared = new("--shared")
    {
        Description = "The shared folder that sessions' spec paths (real-spec walks) are relative to.",
        DefaultValueFactory = _ => Defaults.SharedFolder,
    };

    private readonly Option<string?> _traffic = new("--traffic")
    {
        Description = "Recorded client traffic to train on too (a sessions file or folder, relative to --shared); 'none' for synthetic sessions only.",
        DefaultValueFactory = _ => Defaults.Traffic,
    };

    private readonly Option<int> _trafficRepeats = new("--traffic-repeats")
    {
        Description = "How many times each recorded training session is replayed.",
        DefaultValueFactory = _ => Defaults.TrafficRepeats,
    };

    private readonly Option<bool> _writePrompts = new("--write-prompts-for-traffic")
    {
        Description = "Give every replay of a recorded session after the first prompts written from the spec's summaries.",
        DefaultValueFactory = _ => Defaults.WritePromptsForTraffic,
    };

    public IEnumerable<Option> All =>
    [
        _data, _seed, _iterations, _leaves, _learningRate, _minExamplesPerLeaf, _featureFraction, _calibration, _usageShare, _shared, _traffic,
        _trafficRepeats, _writePrompts,
    ];

    /// <summary>What is wrong with the arguments, for standard error and exit code 2; null when nothing is.</summary>
    public string? Problem(ParseResult parse) =>
        parse.GetValue(_trafficRepeats) < 0 ? "--traffic-repeats is a count, 0 or more."
        : parse.GetValue(_usageShare) is < 0 or > 1 ? "--usage-share is a share of sessions, between 0 and 1."
        : parse.GetValue(_featureFraction) is <= 0 or > 1 ? "--feature-fraction is a share of the features, more than 0 and at most 1."
        : parse.GetValue(_iterations) < 1 || parse.GetValue(_leaves) < 2 || parse.GetValue(_minExamplesPerLeaf) < 1
            ? "--iterations and --min-examples-per-leaf are 1 or more, --leaves 2 or more."
        : null;

    /// <summary>The sessions file: <c>--data</c>, else the one <c>opensesame generate</c> writes into the data directory.</summary>
    public string DataFile(ParseResult parse, StorageOptions storage) =>
        parse.GetValue(_data) ?? Path.Combine(storage.DataDirectory, "training", TrainingData.TrainFileName);

    /// <param name="prediction">The deployment's prediction settings: the pools are built by its rule
    /// (<see cref="PredictionOptions.Budget"/>, for its default k), so the model learns to rank pools like the ones it
    /// will be given.</param>
    /// <param name="withIntent">Compute the semantic and data-flow features, as the service does.</param>
    public TrainingOptions Options(ParseResult parse, PredictionOptions prediction, bool withIntent = true) => new()
    {
        K = prediction.DefaultK,
        CandidateBuffer = prediction.CandidateBuffer,
        CandidateBufferPerRootOperation = prediction.CandidateBufferPerRootOperation,
        MaxCandidateBuffer = prediction.MaxCandidateBuffer,
        Seed = parse.GetValue(_seed),
        Iterations = parse.GetValue(_iterations),
        Leaves = parse.GetValue(_leaves),
        LearningRate = parse.GetValue(_learningRate),
        MinExamplesPerLeaf = parse.GetValue(_minExamplesPerLeaf),
        FeatureFraction = parse.GetValue(_featureFraction),
        CalibrationDomainCount = parse.GetValue(_calibration),
        UsageShare = parse.GetValue(_usageShare),
        Semantic = withIntent,
        DataFlow = withIntent,
        SharedFolder = parse.GetValue(_shared)!,
        Traffic = parse.GetValue(_traffic) is { } recorded && !string.Equals(recorded, "none", StringComparison.OrdinalIgnoreCase) ? recorded : null,
        TrafficRepeats = parse.GetValue(_trafficRepeats),
        WritePromptsForTraffic = parse.GetValue(_writePrompts),
    };
}
