namespace OpenSesame.Predictor.Guardrails.Injection;

/// <summary>One field that looks like instructions aimed at a model, and the rules it matched.</summary>
/// <param name="Field">Where, as the client wrote it: "prompt", "events[2].params.note", "events[0].endpoint".</param>
/// <param name="Rules">Rule names ("ignore-instructions", "role-marker", "evasion:base64"), never the text itself.</param>
public sealed record InjectionFinding(string Field, IReadOnlyList<string> Rules);

/// <summary>What prompt-injection detection found in a request. Carries names only, so it is safe to log and return.</summary>
public sealed class InjectionVerdict(IReadOnlyList<InjectionFinding> findings)
{
    public static InjectionVerdict Clean { get; } = new([]);

    public IReadOnlyList<InjectionFinding> Findings { get; } = findings;

    public bool Flagged => Findings.Count > 0;

    /// <summary>Every rule matched in any field, sorted.</summary>
    public IReadOnlyList<string> Rules =>
        [.. Findings.SelectMany(f => f.Rules).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public IReadOnlyList<string> Fields => [.. Findings.Select(f => f.Field)];

    public override string ToString() => Flagged
        ? string.Join("; ", Findings.Select(f => $"{f.Field}: {string.Join(", ", f.Rules)}"))
        : "clean";
}
