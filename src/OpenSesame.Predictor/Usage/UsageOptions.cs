namespace OpenSesame.Predictor.Usage;

/// <summary>Learning from usage: section "Usage" of the configuration.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    /// <summary>
    /// Learn from the histories requests carry how this deployment's users move between each spec's operations, and
    /// let the ranker use it. Only pairs of operations are counted, per spec: no values, prompts or user ids. Off, the
    /// usage features stay 0, as for a spec nobody has used yet. Default true.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Specs whose counts are kept in memory; the least recently used are reloaded from storage when needed.
    /// Default 256.</summary>
    public int CachedSpecs { get; set; } = 256;
}
