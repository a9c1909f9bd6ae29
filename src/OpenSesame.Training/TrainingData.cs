using System.Text.Json;
using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training;

/// <summary>What <c>opensesame generate</c> wrote: sessions of the training domains and, apart, of held-out domains
/// that training never reads (they are the synthetic evaluation set).</summary>
public sealed record TrainingDataManifest(
    int Seed,
    int Sessions,
    string TrainFile,
    string HeldOutFile,
    IReadOnlyList<string> TrainDomains,
    IReadOnlyList<string> HeldOutDomains,
    IReadOnlyDictionary<string, int> SessionsByDomain,
    IReadOnlyDictionary<string, int> PromptKinds);

/// <summary>Generates the synthetic training and held-out session files.</summary>
public static class TrainingData
{
    public const string TrainFileName = "train.jsonl";
    public const string HeldOutFileName = "heldout.jsonl";
    public const string ManifestFileName = "manifest.json";
    private const int BatchSize = 500;
    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="progress">Sessions generated so far, out of <paramref name="count"/>.</param>
    public static TrainingDataManifest Generate(string folder, int count, int seed, int heldOutDomainCount,
        IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var domains = SyntheticDomains.All;
        if (heldOutDomainCount < 0 || heldOutDomainCount >= domains.Count - 2)
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutDomainCount), heldOutDomainCount,
                $"Hold out between 0 and {domains.Count - 3} of the {domains.Count} domains; training needs the rest.");
        }

        var shuffled = domains.Select(d => d.Name).ToArray();
        new Random(seed).Shuffle(shuffled);
        var heldOut = shuffled.Take(heldOutDomainCount).Order(StringComparer.Ordinal).ToList();

        // Sampled in batches, each with its own seed derived from the run's, so progress can be shown and the output
        // is still a pure function of (count, seed).
        var sampler = new SyntheticSessionSampler();
        var sessions = new List<SyntheticSession>(count);
        for (var batch = 0; sessions.Count < count; batch++)
        {
            sessions.AddRange(sampler.Sample(Math.Min(BatchSize, count - sessions.Count), domains, TrainingOptions.DeriveSeed(seed, batch)));
            progress?.Report(sessions.Count);
        }

        Directory.CreateDirectory(folder);
        var trainFile = Path.Combine(folder, TrainFileName);
        var heldOutFile = Path.Combine(folder, HeldOutFileName);
        SyntheticSessionFile.Write(trainFile, sessions.Where(s => !heldOut.Contains(s.Domain)));
        SyntheticSessionFile.Write(heldOutFile, sessions.Where(s => heldOut.Contains(s.Domain)));
        var manifest = new TrainingDataManifest(seed, sessions.Count, TrainFileName, HeldOutFileName,
            [.. domains.Select(d => d.Name).Except(heldOut)], heldOut,
            sessions.GroupBy(s => s.Domain).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            sessions.GroupBy(s => s.PromptKind.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()));
        File.WriteAllText(Path.Combine(folder, ManifestFileName),
            JsonSerializer.Serialize(manifest, ManifestJson));
        return manifest;
    }
}
