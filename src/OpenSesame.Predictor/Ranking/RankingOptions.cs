namespace OpenSesame.Predictor.Ranking;

/// <summary>Which ranker serves and how models are found and made. Section "Ranking" of the configuration.</summary>
public sealed class RankingOptions
{
    public const string Section = "Ranking";

    /// <summary>Folder of model versions; empty means <c>models</c> inside the storage data directory.</summary>
    public string ModelDirectory { get; set; } = "";

    /// <summary>With no model on disk, the service trains one in the background on start (the heuristic ranker serves
    /// meanwhile). Default true.</summary>
    public bool AutoTrain { get; set; } = true;

    /// <summary>Synthetic sessions generated for a training on start. Default 10,000.</summary>
    public int AutoTrainSessions { get; set; } = 10_000;

    /// <summary>How often the service looks for a newer model version to swap in. Default 30 seconds.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);
}
