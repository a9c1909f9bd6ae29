namespace OpenSesame.Predictor.Usage;

/// <summary>Learning from usage: section "Usage" of the configuration.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>
    /// Learn from the histories requests carry how this deployment's users move between each spec's operations, and
    /// let the ranker and the shortlist use it. Only operation keys are counted, per spec (and with
    /// <see cref="PromptWords"/> the spec's own words of the prompts): no values; user and tenant layers are stored
    /// under a digest of who they are. Off, the usage features stay 0, as for a spec nobody has used yet. Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Also learn, for the spec's crowd, which of the spec's own words the prompts used before each step
    /// (<see cref="Context.LearnedUsage.WordsOf"/>; a prompt's other words never), and predict with them. Off, usage
    /// stores operation keys only and reads no word it stored before. Default true.</summary>
    public bool PromptWords { get; set; } = true;

    /// <summary>Use a tenant's (the API key's owner) and a user's (<c>user_id</c>) own layers on top of the spec's
    /// crowd, so their own habits count first; user layers are only kept when this is on. Default true.</summary>
    public bool PersonalLayers { get; set; } = true;

    /// <summary>
    /// How many other callers (API key owners, else client addresses: <see cref="UsageCaller"/>) must have made a step
    /// before it counts in a caller's predictions; of those, the largest contribution counts no more than the second
    /// largest. A caller's own steps always count for it. With 2, no single caller can teach the others anything,
    /// however many requests it sends, and a deployment with one caller learns exactly as with no rule. 1 lets every
    /// caller's steps count for everyone, unbounded. Default 2.
    /// </summary>
    public int MinimumCallers { get; set; } = 2;

    /// <summary>How fast what was learned fades: a step this old counts half as much as one made now, so a changed
    /// habit takes over. Zero never fades. Default 30 days.</summary>
    public TimeSpan HalfLife { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a layer is used from memory before it is read again from the store, where other instances
    /// add their steps. Zero never rereads. Default 30 seconds.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With a shared change feed (Redis), how soon after another instance wrote a spec's steps a layer of it
    /// is read again: at most this often per layer, so a busy spec's stream of notices costs a few reads a second, not
    /// one per request. Default 250 ms.</summary>
    public TimeSpan ReloadAfterChange { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Layers (spec, tenant or user) kept in memory; the least recently used are reloaded from storage when
    /// needed. Default 1,024.</summary>
    public int CachedLayers { get; set; } = 1024;

    internal TimeSpan? HalfLifeOrNull => HalfLife > TimeSpan.Zero ? HalfLife : null;
}
