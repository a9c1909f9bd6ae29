namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>What a request carrying a category of personal data gets.</summary>
public enum PiiAction
{
    /// <summary>The request is served; wherever its data leaves the prediction (models, caches, logs, audit), the
    /// value is replaced by its placeholder.</summary>
    Redact,

    /// <summary>The request is refused with 400, naming the field and the category, never the value.</summary>
    Reject,
}

/// <summary>The privacy guardrail, per category. Section "Guardrails:Privacy" of the configuration. Every category
/// defaults to <see cref="PiiAction.Redact"/>.</summary>
public sealed class PrivacyOptions
{
    public const string Section = "Guardrails:Privacy";

    /// <summary>E-mail addresses. Default Redact (calendar ids and customer logins are often e-mail addresses).</summary>
    public PiiAction Email { get; set; } = PiiAction.Redact;

    /// <summary>Phone numbers, international and common national formats. Default Redact.</summary>
    public PiiAction Phone { get; set; } = PiiAction.Redact;

    /// <summary>US social security numbers. Default Redact.</summary>
    public PiiAction Ssn { get; set; } = PiiAction.Redact;

    /// <summary>Payment card numbers (Luhn-checked). Default Redact.</summary>
    public PiiAction Card { get; set; } = PiiAction.Redact;

    /// <summary>IBANs (mod-97-checked). Default Redact.</summary>
    public PiiAction Iban { get; set; } = PiiAction.Redact;

    /// <summary>IPv4 and IPv6 addresses. Default Redact.</summary>
    public PiiAction IpAddress { get; set; } = PiiAction.Redact;

    /// <summary>JSON web tokens. Default Redact.</summary>
    public PiiAction Jwt { get; set; } = PiiAction.Redact;

    /// <summary>Opaque tokens after "Bearer". Default Redact.</summary>
    public PiiAction BearerToken { get; set; } = PiiAction.Redact;

    /// <summary>API keys of well-known shapes (Stripe, GitHub, AWS, Slack, Google, Anthropic, OpenAI). Default Redact.</summary>
    public PiiAction ApiKey { get; set; } = PiiAction.Redact;

    public PiiAction ActionFor(PiiCategory category) => category switch
    {
        PiiCategory.Email => Email,
        PiiCategory.Phone => Phone,
        PiiCategory.Ssn => Ssn,
        PiiCategory.Card => Card,
        PiiCategory.Iban => Iban,
        PiiCategory.IpAddress => IpAddress,
        PiiCategory.Jwt => Jwt,
        PiiCategory.BearerToken => BearerToken,
        PiiCategory.ApiKey => ApiKey,
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };
}
