using Microsoft.Extensions.Compliance.Redaction;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>
/// Replaces a value with its category's placeholder (<c>[EMAIL]</c>). <c>AddRedaction</c> maps each data
/// classification to a redactor <em>type</em>, so every category has its own small subclass below; a host replaces
/// one with <c>AddRedaction(b =&gt; b.SetRedactor&lt;MyRedactor&gt;(PiiCategory.Email.Classification()))</c>.
/// </summary>
public abstract class PlaceholderRedactor(PiiCategory category) : Redactor
{
    private readonly string _placeholder = category.Placeholder();

    public override int GetRedactedLength(ReadOnlySpan<char> input) => _placeholder.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        _placeholder.AsSpan().CopyTo(destination);
        return _placeholder.Length;
    }

    internal static IRedactionBuilder SetAll(IRedactionBuilder builder) => builder
        .SetRedactor<EmailRedactor>(PiiCategory.Email.Classification())
        .SetRedactor<PhoneRedactor>(PiiCategory.Phone.Classification())
        .SetRedactor<SsnRedactor>(PiiCategory.Ssn.Classification())
        .SetRedactor<CardRedactor>(PiiCategory.Card.Classification())
        .SetRedactor<IbanRedactor>(PiiCategory.Iban.Classification())
        .SetRedactor<IpAddressRedactor>(PiiCategory.IpAddress.Classification())
        .SetRedactor<JwtRedactor>(PiiCategory.Jwt.Classification())
        .SetRedactor<BearerTokenRedactor>(PiiCategory.BearerToken.Classification())
        .SetRedactor<ApiKeyRedactor>(PiiCategory.ApiKey.Classification());
}

internal sealed class EmailRedactor() : PlaceholderRedactor(PiiCategory.Email);

internal sealed class PhoneRedactor() : PlaceholderRedactor(PiiCategory.Phone);

internal sealed class SsnRedactor() : PlaceholderRedactor(PiiCategory.Ssn);

internal sealed class CardRedactor() : PlaceholderRedactor(PiiCategory.Card);

internal sealed class IbanRedactor() : PlaceholderRedactor(PiiCategory.Iban);

internal sealed class IpAddressRedactor() : PlaceholderRedactor(PiiCategory.IpAddress);

internal sealed class JwtRedactor() : PlaceholderRedactor(PiiCategory.Jwt);

internal sealed class BearerTokenRedactor() : PlaceholderRedactor(PiiCategory.BearerToken);

internal sealed class ApiKeyRedactor() : PlaceholderRedactor(PiiCategory.ApiKey);
