namespace OpenSesame.Predictor.Ranking;

/// <summary>Which ranker serves and where models are found. Section "Ranking" of the configuration.</summary>
public sealed class RankingOptions
{
    public const string Section = "Ranking";

    /// <summary>Folder of model versions that <c>opensesame train</c> writes; empty means <c>models</c> inside the
    /// storage data directory. Its current version serves when it has one.</summary>
    public string ModelDirectory { get; set; } = "";

    /// <summary>Folder of the model that ships with the service (the repository's <c>models/</c>, copied next to the
    /// binary), served while <see cref="ModelDirectory"/> has none, so a fresh install ranks with a learned model from its
    /// first request. Read only. Default <c>models</c> next to the binary; empty turns it off, and then the heuristic
    /// ranker serves until a model is trained.</summary>
    public string DefaultModelDirectory { get; set; } = Path.Combine(AppContext.BaseDirectory, "models");

    /// <summary>A model version in <see cref="ModelDirectory"/> served beside the current one to the users that the
    /// <c>RankerChallenger</c> feature of the <c>FeatureManagement</c> section targets (a sticky percentage by user id),
    /// to compare the two on real outcomes (<c>GET /admin/model</c>). Empty, or the feature not configured: everyone
    /// gets the current version. Default empty.</summary>
    public string Challenger { get; set; } = "";

    /// <summary>How often the service looks for a newer model version to swap in. Default 30 seconds.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}
