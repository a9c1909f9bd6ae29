using System.Text.Json;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Model versions on disk: <c>&lt;dir&gt;/&lt;version&gt;/model.json</c> (everything needed to serve) and
/// <c>metadata.json</c> (the same without the trees, for people), and a <c>current</c> file naming the serving
/// version. Writers build a version in a temporary folder and rename it into place, then replace <c>current</c>
/// atomically, so a reader never sees half a model. Every change of <c>current</c> is appended to
/// <c>history.jsonl</c> (what served before, and why it changed), which is what a rollback reads; what retraining
/// measured of each version is appended to <c>evaluations.jsonl</c>.
/// </summary>
/// <param name="time">The clock promotions are dated by; the system's when null.</param>
public sealed class RankerModelStore(string directory, TimeProvider? time = null)
{
    /// <summary>The pointer the service serves.</summary>
    public const string CurrentPointer = "current";

    /// <summary>The pointer of a model trained without the intent signals (semantic and data-flow features), kept to
    /// measure what those signals add (<c>opensesame train --without-intent</c>, evaluated as <c>ranker-no-intent</c>).</summary>
    public const string WithoutIntentPointer = "without-intent";

    /// <summary>One line per change of <c>current</c>, oldest first (<see cref="ModelPromotion"/>).</summary>
    public const string HistoryFile = "history.jsonl";

    /// <summary>One line per measurement of a version on held-out outcomes, oldest first (<see cref="ModelEvaluation"/>).</summary>
    public const string EvaluationsFile = "evaluations.jsonl";

    /// <summary>Why <c>current</c> changed, in <see cref="ModelPromotion.Reason"/>.</summary>
    public const string TrainReason = "train";

    /// <summary>A rollback's <see cref="ModelPromotion.Reason"/>; a rollback is not a promotion of its own when the
    /// next rollback looks for what served before (see <see cref="PreviousOf"/>).</summary>
    public const string RollbackReason = "rollback";

    private static readonly JsonSerializerOptions ReadableJson = new(RankerModel.Json) { WriteIndented = true };

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Directory { get; } = directory;

    /// <summary>The store <c>opensesame train</c> writes to and the service serves from: <see
    /// cref="RankingOptions.ModelDirectory"/>, by default <c>models</c> in the data directory.</summary>
    public static RankerModelStore Configured(RankingOptions ranking, Storage.StorageOptions storage, TimeProvider? time = null) =>
        new(string.IsNullOrWhiteSpace(ranking.ModelDirectory) ? Path.Combine(storage.DataDirectory, "models") : ranking.ModelDirectory, time);

    /// <summary>The version <c>current</c> names, or null when none was ever saved.</summary>
    public string? CurrentVersion() => PointedVersion(CurrentPointer);

    /// <summary>The version a pointer file names, or null when none was ever saved under it.</summary>
    public string? PointedVersion(string pointerName)
    {
        var path = Path.Combine(Directory, pointerName);
        return File.Exists(path) ? File.ReadAllText(path).Trim() is { Length: > 0 } version ? version : null : null;
    }

    /// <exception cref="InvalidDataException">The model file is missing, unreadable or for another feature list.</exception>
    public RankerModel Load(string version)
    {
        var path = Path.Combine(Directory, version, "model.json");
        RankerModel? model;
        try
        {
            model = JsonSerializer.Deserialize<RankerModel>(File.ReadAllText(path), RankerModel.Json);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"The model {path} cannot be read: {ex.Message}", ex);
        }

        if (model is null || !model.MatchesSchema)
        {
            throw new InvalidDataException($"The model {path} was trained on another feature list; retrain it with 'opensesame train'.");
        }

        return model;
    }

    /// <summary>Writes a version and points <paramref name="pointerName"/> (by default <c>current</c>) at it; a change
    /// of <c>current</c> is recorded in the history with <paramref name="reason"/>.</summary>
    public void Save(RankerModel model, string pointerName = CurrentPointer, string reason = TrainReason)
    {
        ArgumentNullException.ThrowIfNull(model);
        SaveVersion(model);
        if (pointerName == CurrentPointer)
        {
            // Not Promote: what was just written is the version, even one a test saves for another feature list.
            Repoint(model.Version, reason);
        }
        else
        {
            Point(pointerName, model.Version);
        }
    }

    /// <summary>Writes a version without pointing anything at it: a candidate that was not promoted.</summary>
    public void SaveVersion(RankerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        System.IO.Directory.CreateDirectory(Directory);
        var final = Path.Combine(Directory, model.Version);
        var staging = final + ".tmp-" + Environment.ProcessId;
        if (System.IO.Directory.Exists(staging))
        {
            System.IO.Directory.Delete(staging, recursive: true);
        }

        System.IO.Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "model.json"), JsonSerializer.Serialize(model, RankerModel.Json));
        File.WriteAllText(Path.Combine(staging, "metadata.json"),
            JsonSerializer.Serialize(model.Info, ReadableJson));
        if (System.IO.Directory.Exists(final))
        {
            System.IO.Directory.Delete(final, recursive: true);
        }

        System.IO.Directory.Move(staging, final);
    }

    /// <summary>
    /// Points <c>current</c> at a saved <paramref name="version"/>, or, when it is null, removes <c>current</c> so the
    /// model shipped with the service serves again; then appends the change to the history. A running service swaps
    /// the model in at its next reload. Nothing changes (and nothing is recorded) when it is already current.
    /// </summary>
    /// <exception cref="InvalidDataException">The version is not saved here or cannot serve today's features.</exception>
    public ModelPromotion? Promote(string? version, string reason)
    {
        if (version is not null)
        {
            Load(version);
        }

        return Repoint(version, reason);
    }

    private ModelPromotion? Repoint(string? version, string reason)
    {
        var previous = CurrentVersion();
        if (previous == version)
        {
            return null;
        }

        if (version is null)
        {
            File.Delete(Path.Combine(Directory, CurrentPointer));
        }
        else
        {
            Point(CurrentPointer, version);
        }

        var promotion = new ModelPromotion(_time.GetUtcNow(), version, previous, reason);
        Append(HistoryFile, promotion);
        return promotion;
    }

    /// <summary>Every change of <c>current</c>, oldest first.</summary>
    public IReadOnlyList<ModelPromotion> History() => ReadLines<ModelPromotion>(HistoryFile);

    /// <summary>
    /// What served before <paramref name="version"/> was last made current by a training or a promotion (a rollback
    /// that landed on it does not count, so rolling back twice goes two steps back rather than to and fro); null when the
    /// history does not say or when the shipped model served before it. <paramref name="known"/> is false when the
    /// history never made it current.
    /// </summary>
    public (string? Version, bool Known) PreviousOf(string version) =>
        History().LastOrDefault(p => p.Version == version && p.Reason != RollbackReason) is { } promotion
            ? (promotion.Previous, true)
            : (null, false);

    /// <summary>The saved versions (folders holding a model), by name.</summary>
    public IReadOnlyList<string> Versions() =>
        !System.IO.Directory.Exists(Directory)
            ? []
            : [.. System.IO.Directory.EnumerateDirectories(Directory)
                .Where(d => File.Exists(Path.Combine(d, "model.json")) && !Path.GetFileName(d).Contains(".tmp-", StringComparison.Ordinal))
                .Select(d => Path.GetFileName(d)!)
                .Order(StringComparer.Ordinal)];

    /// <summary>A version's description without its trees, from <c>metadata.json</c>; null when it cannot be read.</summary>
    public RankerModelInfo? ReadInfo(string version)
    {
        try
        {
            return JsonSerializer.Deserialize<RankerModelInfo>(File.ReadAllText(Path.Combine(Directory, version, "metadata.json")), RankerModel.Json);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Appends what retraining measured of a version.</summary>
    public void RecordEvaluation(ModelEvaluation evaluation) => Append(EvaluationsFile, evaluation);

    /// <summary>Every recorded evaluation, oldest first.</summary>
    public IReadOnlyList<ModelEvaluation> Evaluations() => ReadLines<ModelEvaluation>(EvaluationsFile);

    private void Point(string pointerName, string version)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var pointer = Path.Combine(Directory, pointerName + ".tmp-" + Environment.ProcessId);
        File.WriteAllText(pointer, version);
        File.Move(pointer, Path.Combine(Directory, pointerName), overwrite: true);
    }

    // One write of one whole line to a file opened for appending: concurrent writers (a retraining worker, an operator's
    // rollback) interleave whole lines, and a reader sees a line complete or not at all but for a crash mid-write,
    // whose torn last line ReadLines skips; the next line starts on a line of its own so the tear costs nothing else.
    private void Append<T>(string file, T entry)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, file);
        var text = JsonSerializer.Serialize(entry, RankerModel.Json) + "\n";
        var line = System.Text.Encoding.UTF8.GetBytes(EndsTorn(path) ? "\n" + text : text);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        stream.Write(line);
    }

    private static bool EndsTorn(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length == 0)
        {
            return false;
        }

        stream.Seek(-1, SeekOrigin.End);
        return stream.ReadByte() != '\n';
    }

    private List<T> ReadLines<T>(string file)
    {
        var path = Path.Combine(Directory, file);
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = new List<T>();
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (reader.ReadLine() is { } line)
        {
            try
            {
                if (JsonSerializer.Deserialize<T>(line, RankerModel.Json) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // A line torn by a crash mid-write; the others still tell the story.
            }
        }

        return entries;
    }
}

/// <summary>One change of the serving version.</summary>
/// <param name="Version">The version made current; null when <c>current</c> was removed and the shipped model served again.</param>
/// <param name="Previous">The version current named before; null when none did (the shipped model served).</param>
/// <param name="Reason">"train", "rollback", or what a retraining decided and why.</param>
public sealed record ModelPromotion(DateTimeOffset At, string? Version, string? Previous, string Reason);

/// <summary>What a retraining measured of one version: on the newest logged outcomes, which the candidate was not
/// trained on (prequential), and on the synthetic suite's leave-domains-out groups.</summary>
/// <param name="Role">"candidate" (the version trained by that run) or "serving" (the version it was compared with).</param>
/// <param name="Request">The retraining request that measured it.</param>
/// <param name="HoldoutGroups">Labelled outcomes both versions were measured on.</param>
/// <param name="Prequential">On those outcomes, re-scoring their logged feature vectors; null when there were none.</param>
/// <param name="Synthetic">On the calibration domains, without LLM answers or learned usage.</param>
/// <param name="Promoted">Whether the candidate of that run was promoted.</param>
public sealed record ModelEvaluation(
    DateTimeOffset At,
    string Version,
    string Role,
    string Request,
    int HoldoutGroups,
    DateTimeOffset? HoldoutFrom,
    DateTimeOffset? HoldoutUntil,
    RankerMetrics? Prequential,
    RankerMetrics? Synthetic,
    bool Promoted);
