using Microsoft.Extensions.Compliance.Classification;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>The kinds of personal data and secrets the privacy guardrail finds.</summary>
public enum PiiCategory
{
    Email,
    Phone,
    Ssn,
    Card,
    Iban,
    IpAddress,
    Jwt,
    BearerToken,
    ApiKey,
}

/// <summary>Names, placeholders and data classifications of the <see cref="PiiCategory"/> values.</summary>
public static class PiiCategories
{
    /// <summary>The taxonomy of the data classifications, as <c>Microsoft.Extensions.Compliance</c> names them.</summary>
    public const string Taxonomy = "OpenSesame.Pii";

    public static IReadOnlyList<PiiCategory> All { get; } = Enum.GetValues<PiiCategory>();

    private static readonly DataClassification[] Classifications =
        [.. All.Select(c => new DataClassification(Taxonomy, c.ToString()))];

    /// <summary>The short name the corpus, the CLI and the error messages use: email, phone, ssn, card, iban, ip,
    /// jwt, bearer, api_key.</summary>
    public static string Name(this PiiCategory category) => category switch
    {
        PiiCategory.Email => "email",
        PiiCategory.Phone => "phone",
        PiiCategory.Ssn => "ssn",
        PiiCategory.Card => "card",
        PiiCategory.Iban => "iban",
        PiiCategory.IpAddress => "ip",
        PiiCategory.Jwt => "jwt",
        PiiCategory.BearerToken => "bearer",
        PiiCategory.ApiKey => "api_key",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    /// <summary>Words for people: "an e-mail address".</summary>
    public static string Describe(this PiiCategory category) => category switch
    {
        PiiCategory.Email => "an e-mail address",
        PiiCategory.Phone => "a phone number",
        PiiCategory.Ssn => "a US social security number",
        PiiCategory.Card => "a payment card number",
        PiiCategory.Iban => "an IBAN",
        PiiCategory.IpAddress => "an IP address",
        PiiCategory.Jwt => "a JSON web token",
        PiiCategory.BearerToken => "a bearer token",
        PiiCategory.ApiKey => "an API key",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    /// <summary>What replaces a value by default: a fixed word per category, so a redacted text stays readable and
    /// the same input always gives the same output (it can be part of a cache key).</summary>
    public static string Placeholder(this PiiCategory category) => category switch
    {
        PiiCategory.Email => "[EMAIL]",
        PiiCategory.Phone => "[PHONE]",
        PiiCategory.Ssn => "[SSN]",
        PiiCategory.Card => "[CARD]",
        PiiCategory.Iban => "[IBAN]",
        PiiCategory.IpAddress => "[IP]",
        PiiCategory.Jwt => "[JWT]",
        PiiCategory.BearerToken => "[TOKEN]",
        PiiCategory.ApiKey => "[API_KEY]",
        _ => throw new ArgumentOutOfRangeException(nameof(category)),
    };

    /// <summary>The data classification a <c>Redactor</c> is registered for with <c>AddRedaction</c>.</summary>
    public static DataClassification Classification(this PiiCategory category) => Classifications[(int)category];

    public static bool TryParse(string name, out PiiCategory category)
    {
        foreach (var c in All)
        {
            if (string.Equals(c.Name(), name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(c.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                category = c;
                return true;
            }
        }

        category = default;
        return false;
    }
}
