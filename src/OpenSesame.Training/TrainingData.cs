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
    IReadOnlyDictionary<string, int> PromptKinds,
    IReadOnlyDictionary<string, double>? Behaviours = null,
    IReadOnlyList<RealSpecEntry>? RealSpecs = null);

/// <summary>One real spec walked for training: its path under the shared folder, its size and the sessions walked.</summary>
public sealed record RealSpecEntry(string Spec, string Title, int Operations, int Sessions);

/// <summary>Which real specs <see cref="TrainingData.Generate"/> walks (<see cref="SpecWalkSampler"/>), and how much.</summary>
public sealed class RealSpecOptions
{
    /// <summary>Spec files by path relative to <see cref="SharedFolder"/>. Default: <see cref="TrainingCatalogs.RealSpecs"/>,
    /// the committed list of specs no evaluation uses.</summary>
    public IReadOnlyList<string> Specs { get; init; } = TrainingCatalogs.RealSpecs;

    /// <summary>Sessions walked over each spec (300): about half of what each embedded domain gets from 10,000 sessions,
    /// since a large spec's steps cost more to replay and its sessions are less alike.</summary>
    public int SessionsPerSpec { get; init; } = 300;

    /// <summary>The folder spec paths are relative to. Default <see cref="TrainingCatalogs.DefaultSharedFolder"/>.</summary>
    public string SharedFolder { get; init; } = TrainingCatalogs.DefaultSharedFolder;
}

/// <summary>Generates the synthetic training and held-out session files.</summary>
public static class TrainingData
{
    public const string TrainFileName = "train.jsonl";
    public const string HeldOutFileName = "heldout.jsonl";
    public const string ManifestFileName = "manifest.json";
    private const int BatchSize = 500;
    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <param name="count">Sessions of the embedded domains; real-spec sessions come on top.</param>
    /// <param name="progress">Sessions generated so far, out of <paramref name="count"/> plus the real-spec sessions.</param>
    /// <param name="sessions">How sessions are sampled, client behaviours included; default <see cref="SyntheticSamplerOptions"/>'s.</param>
    /// <param name="realSpecs">Real specs to walk as well, into the training file only; none when null.</param>
    /// <exception cref="FileNotFoundException">A real spec is not in the shared folder.</exception>
    public static TrainingDataManifest Generate(string folder, int count, int seed, int heldOutDomainCount,
        IProgress<int>? progress = null, SyntheticSamplerOptions? sessions = null, RealSpecOptions? realSpecs = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        sessions ??= new SyntheticSamplerOptions();
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
        var sampler = new SyntheticSessionSampler(sessions);
        var sampled = new List<SyntheticSession>(count);
        for (var batch = 0; sampled.Count < count; batch++)
        {
            sampled.AddRange(sampler.Sample(Math.Min(BatchSize, count - sampled.Count), domains, TrainingOptions.DeriveSeed(seed, batch)));
            progress?.Report(sampled.Count);
        }

        // Real specs only ever train: the held-out file stays the embedded domains, the synthetic evaluation set.
        var walked = new List<SyntheticSession>();
        var entries = new List<RealSpecEntry>();
        if (realSpecs is { SessionsPerSpec: > 0 })
        {
            var catalogs = TrainingCatalogs.For(realSpecs.SharedFolder);
            var walker = new SpecWalkSampler(new SpecWalkOptions { Sessions = sessions });
            foreach (var spec in realSpecs.Specs)
            {
                var domain = catalogs.Get(spec);
                walked.AddRange(walker.Sample(domain.Catalog, spec, realSpecs.SessionsPerSpec, TrainingOptions.DeriveSeed(seed, StableHash(spec))));
                entries.Add(new RealSpecEntry(spec, domain.Catalog.Title, domain.Catalog.Operations.Count, realSpecs.SessionsPerSpec));
                progress?.Report(sampled.Count + walked.Count);
            }
        }

        Directory.CreateDirectory(folder);
        var trainFile = Path.Combine(folder, TrainFileName);
        var heldOutFile = Path.Combine(folder, HeldOutFileName);
        SyntheticSessionFile.Write(trainFile, sampled.Where(s => !heldOut.Contains(s.Domain)).Concat(walked));
        SyntheticSessionFile.Write(heldOutFile, sampled.Where(s => heldOut.Contains(s.Domain)));
        var all = sampled.Concat(walked).ToList();
        var manifest = new TrainingDataManifest(seed, all.Count, TrainFileName, HeldOutFileName,
            [.. domains.Select(d => d.Name).Except(heldOut), .. entries.Select(e => e.Spec)], heldOut,
            all.GroupBy(s => s.Domain).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            all.GroupBy(s => s.PromptKind.ToString()).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            sessions.Behaviours.Describe(),
            entries);
        File.WriteAllText(Path.Combine(folder, ManifestFileName),
            JsonSerializer.Serialize(manifest, ManifestJson));
        return manifest;
    }

    // FNV-1a of the path: a spec's sessions depend on its name, not on where it sits in the list.
    private static int StableHash(string text)
    {
        var hash = 2166136261;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return unchecked((int)(hash & 0x7FFFFFFF));
    }
}
