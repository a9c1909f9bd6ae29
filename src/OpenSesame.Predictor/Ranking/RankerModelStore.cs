using System.Text.Json;

namespace OpenSesame.Predictor.Ranking;

/// <summary>
/// Model versions on disk: <c>&lt;dir&gt;/&lt;version&gt;/model.json</c> (everything needed to serve) and
/// <c>metadata.json</c> (the same without the trees, for people), and a <c>current</c> file naming the serving
/// version. Writers build a version in a temporary folder and rename it into place, then replace <c>current</c>
/// atomically, so a reader never sees half a model.
/// </summary>
public sealed class RankerModelStore(string directory)
{
    /// <summary>The pointer the service serves.</summary>
    public const string CurrentPointer = "current";

    /// <summary>The pointer of a model trained without the intent signals (semantic and data-flow features), kept to
    /// measure what those signals add (<c>opensesame train --without-intent</c>, evaluated as <c>ranker-no-intent</c>).</summary>
    public const string WithoutIntentPointer = "without-intent";

    private static readonly JsonSerializerOptions ReadableJson = new(RankerModel.Json) { WriteIndented = true };

    public string Directory { get; } = directory;

    /// <summary>The store <c>opensesame train</c> writes to and the service serves from: <see
    /// cref="RankingOptions.ModelDirectory"/>, by default <c>models</c> in the data directory.</summary>
    public static RankerModelStore Configured(RankingOptions ranking, Storage.StorageOptions storage) =>
        new(string.IsNullOrWhiteSpace(ranking.ModelDirectory) ? Path.Combine(storage.DataDirectory, "models") : ranking.ModelDirectory);

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

    /// <summary>Writes a version and points <paramref name="pointerName"/> (by default <c>current</c>) at it.</summary>
    public void Save(RankerModel model, string pointerName = CurrentPointer)
    {
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
        var pointer = Path.Combine(Directory, pointerName + ".tmp-" + Environment.ProcessId);
        File.WriteAllText(pointer, model.Version);
        File.Move(pointer, Path.Combine(Directory, pointerName), overwrite: true);
    }
}
