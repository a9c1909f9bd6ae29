using System.Text.Json;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Guardrails.Privacy;

namespace OpenSesame.Predictor.Tests.Guardrails.Privacy;

public sealed class PiiRedactorTests
{
    // jwt.io's example token.
    private const string Jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
                               + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    private readonly IPiiRedactor _redactor = Privacy.Redactor();

    private void AssertRedacted(PiiCategory category, string text, string expectedText, string paramsJson, string expectedParamsJson)
    {
        var redactedText = _redactor.RedactText(text);
        Assert.Equal(expectedText, redactedText.Text);
        Assert.Equal([category], redactedText.Found);

        var redactedParams = _redactor.RedactParams(Privacy.Params(paramsJson));
        Privacy.AssertJsonEqual(expectedParamsJson, redactedParams.Params);
        Assert.Equal([category], redactedParams.Found);
    }

    [Fact]
    public void EmailAddressesAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.Email,
        "Send the receipt to jane.doe@example.com today",
        "Send the receipt to [EMAIL] today",
        """{ "customer": { "contacts": [ { "email": "jane.doe@example.com" } ] }, "note": "cc ops@example.org", "n": 3 }""",
        """{ "customer": { "contacts": [ { "email": "[EMAIL]" } ] }, "note": "cc [EMAIL]", "n": 3 }""");

    [Fact]
    public void PhoneNumbersAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.Phone,
        "Call +44 20 7946 0958 or (415) 555-0132 after 10:30",
        "Call [PHONE] or [PHONE] after 10:30",
        """{ "shipping": { "phone": "4155550111", "mobileNumber": 4155550112, "order": "4155550111" }, "alt": ["06 12 34 56 78"] }""",
        """{ "shipping": { "phone": "[PHONE]", "mobileNumber": "[PHONE]", "order": "4155550111" }, "alt": ["[PHONE]"] }""");

    [Fact]
    public void SocialSecurityNumbersAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.Ssn,
        "SSN 123-45-6789 on file since 2024-01-15",
        "SSN [SSN] on file since 2024-01-15",
        """{ "applicant": { "ssn": "536221234", "spouseSSN": "219 09 9999", "id": "536221234" } }""",
        """{ "applicant": { "ssn": "[SSN]", "spouseSSN": "[SSN]", "id": "536221234" } }""");

    [Fact]
    public void CardNumbersAreRedactedInTextAndNestedParamsEvenAsJsonNumbers() => AssertRedacted(PiiCategory.Card,
        "Charge 4242 4242 4242 4242, not 4242 4242 4242 4241",
        "Charge [CARD], not 4242 4242 4242 4241",
        """{ "payment": { "card": { "number": 4242424242424242, "exp_year": 2030 }, "backup": ["5555-5555-5555-4444"] } }""",
        """{ "payment": { "card": { "number": "[CARD]", "exp_year": 2030 }, "backup": ["[CARD]"] } }""");

    [Fact]
    public void IbansAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.Iban,
        "Pay DE89 3704 0044 0532 0130 00 (not DE89 3704 0044 0532 0130 01)",
        "Pay [IBAN] (not DE89 3704 0044 0532 0130 01)",
        """{ "payout": { "accounts": ["GB29NWBK60161331926819"], "bic": "NWBKGB2L" } }""",
        """{ "payout": { "accounts": ["[IBAN]"], "bic": "NWBKGB2L" } }""");

    [Fact]
    public void IpAddressesAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.IpAddress,
        "Requests from 203.0.113.42 and 2001:db8::1 on v1.2.3.4",
        "Requests from [IP] and [IP] on v1.2.3.4",
        """{ "request": { "client_ip": "198.51.100.7", "forwarded": ["::ffff:192.0.2.128"] } }""",
        """{ "request": { "client_ip": "[IP]", "forwarded": ["[IP]"] } }""");

    [Fact]
    public void JsonWebTokensAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.Jwt,
        $"Authorization: Bearer {Jwt}",
        "Authorization: Bearer [JWT]",
        $$"""{ "auth": { "id_token": "{{Jwt}}" } }""",
        """{ "auth": { "id_token": "[JWT]" } }""");

    [Fact]
    public void BearerTokensAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.BearerToken,
        "Authorization: Bearer 2YotnFZFEjr1zCsicMWpAA, not Bearer YOUR_TOKEN",
        "Authorization: Bearer [TOKEN], not Bearer YOUR_TOKEN",
        """{ "headers": { "Authorization": "Bearer mF_9.B5f-4.1JqM" } }""",
        """{ "headers": { "Authorization": "Bearer [TOKEN]" } }""");

    [Fact]
    public void ApiKeysAreRedactedInTextAndNestedParams() => AssertRedacted(PiiCategory.ApiKey,
        "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' for customer cus_NffrFeUfNV2Hib",
        "stripe.api_key = '[API_KEY]' for customer cus_NffrFeUfNV2Hib",
        """{ "config": { "keys": ["AKIAIOSFODNN7EXAMPLE", "xoxb-your-token"] } }""",
        """{ "config": { "keys": ["[API_KEY]", "xoxb-your-token"] } }""");

    [Fact]
    public void RedactionIsDeterministicSoARedactedTextCanBePartOfACacheKey()
    {
        const string text = "Refund jane@example.com's card 4111 1111 1111 1111 and text +1 415-555-0132";
        var other = Privacy.Redactor();

        var first = _redactor.RedactText(text);
        var again = _redactor.RedactText(text);
        var elsewhere = other.RedactText(text);

        Assert.Equal("Refund [EMAIL]'s card [CARD] and text [PHONE]", first.Text);
        Assert.Equal(first.Text, again.Text);
        Assert.Equal(first.Found, again.Found);
        Assert.Equal(first.Text, elsewhere.Text);
        Assert.Equal(first.Found, elsewhere.Found);
        Assert.Equal([PiiCategory.Email, PiiCategory.Phone, PiiCategory.Card], first.Found);
        Assert.Equal(JsonSerializer.Serialize(_redactor.RedactParams(Privacy.Params("""{ "to": "a@b.io", "k": [1, "x"] }""")).Params),
            JsonSerializer.Serialize(other.RedactParams(Privacy.Params("""{ "to": "a@b.io", "k": [1, "x"] }""")).Params));
    }

    [Fact]
    public void ValuesWithoutPersonalDataComeBackUntouched()
    {
        var parameters = Privacy.Params("""{ "invoice": "in_1MtHbELkdIwHu7ixl4OzzPMv", "status": "DRAFT", "lines": [ { "qty": 2 } ] }""");

        var redacted = _redactor.RedactParams(parameters);

        Assert.Empty(redacted.Found);
        Assert.Equal(parameters.Keys, redacted.Params.Keys);
        Privacy.AssertJsonEqual("""{ "invoice": "in_1MtHbELkdIwHu7ixl4OzzPMv", "status": "DRAFT", "lines": [ { "qty": 2 } ] }""", redacted.Params);
        Assert.Same("Let's finish billing for Q2", _redactor.RedactText("Let's finish billing for Q2").Text);
    }

    [Fact]
    public void AHostCanReplaceACategorysRedactorThroughAddRedaction()
    {
        using var services = new ServiceCollection()
            .AddPredictor(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .AddRedaction(b => b.SetRedactor<LastFourRedactor>(PiiCategory.Card.Classification()))
            .BuildServiceProvider();

        var redacted = services.GetRequiredService<IPiiRedactor>().RedactText("card 4111 1111 1111 1111 of jane@example.com");

        Assert.Equal("card ****1111 of [EMAIL]", redacted.Text);
    }

    private sealed class LastFourRedactor : Redactor
    {
        public override int GetRedactedLength(ReadOnlySpan<char> input) => 8;

        public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
        {
            "****".AsSpan().CopyTo(destination);
            source[^4..].CopyTo(destination[4..]);
            return 8;
        }
    }
}
