using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Guardrails.Privacy;

public sealed class PiiRequestGuardTests
{
    private const string Email = "jane.doe@example.com";
    private const string Card = "4111 1111 1111 1111";

    private static PredictionRequest Request(string? prompt = null, string? paramsJson = null, string path = "/v1/customers") =>
        new("u-42", "s-1",
            [new HistoryEvent(null, "GET", "/v1/invoices", HistoryEvent.NoParams),
             new HistoryEvent(null, "POST", path, paramsJson is null ? HistoryEvent.NoParams : Privacy.Params(paramsJson))],
            prompt, SpecSource.Inline("""{ "openapi": "3.0.0", "info": { "contact": { "email": "api@example.com" } } }"""), 5)
        {
            Injection = InjectionVerdict.Clean,
        };

    private static PiiRequestGuard Guard(PrivacyOptions options) => new(Options.Create(options));

    [Fact]
    public void RejectModeNamesTheFieldAndTheCategoryButNeverTheValue()
    {
        var guard = Guard(new PrivacyOptions { Email = PiiAction.Reject, Card = PiiAction.Reject });

        var errors = guard.Check(Request($"bill {Email}",
            $$"""{ "customer": { "contacts": [ { "email": "{{Email}}" } ] }, "payment": { "number": "{{Card}}" } }"""));

        Assert.Equal(["events[1].params.customer.contacts[0].email", "events[1].params.payment.number", "prompt"], errors.Keys.Order());
        var message = Assert.Single(errors["events[1].params.customer.contacts[0].email"]);
        Assert.Contains("'email'", message, StringComparison.Ordinal);
        Assert.Contains("e-mail address", message, StringComparison.Ordinal);
        Assert.Contains("'card'", Assert.Single(errors["events[1].params.payment.number"]), StringComparison.Ordinal);
        var all = string.Join(" ", errors.SelectMany(e => e.Value));
        Assert.DoesNotContain(Email, all, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", all, StringComparison.Ordinal);
    }

    [Fact]
    public void RedactModeTheDefaultRefusesNothing()
    {
        var guard = Guard(new PrivacyOptions());

        Assert.Empty(guard.Check(Request($"bill {Email} on card {Card}", $$"""{ "email": "{{Email}}" }""")));
    }

    [Fact]
    public void OnlyCategoriesSetToRejectAreRefused()
    {
        var guard = Guard(new PrivacyOptions { ApiKey = PiiAction.Reject });

        var errors = guard.Check(Request($"bill {Email}, key sk_test_4eC39HqLyjWDarjtT1zdp7dc", path: $"/v1/customers/{Email}"));

        var reason = Assert.Single(Assert.Single(errors, e => e.Key == "prompt").Value);
        Assert.Contains("'api_key'", reason, StringComparison.Ordinal);
        Assert.Single(errors);
    }

    [Fact]
    public void EndpointsAndIdsAreCheckedButTheInlineSpecIsNot()
    {
        var guard = Guard(new PrivacyOptions { Email = PiiAction.Reject });

        var errors = guard.Check(Request(path: $"/v1/customers/{Email}") with { UserId = Email });

        Assert.Equal(["events[1].endpoint", "user_id"], errors.Keys.Order());
    }

    [Fact]
    public void AddPredictorBindsThePrivacySectionAndRegistersTheGuardAndTheRedactor()
    {
        using var services = Privacy.Services(new Dictionary<string, string?> { ["Guardrails:Privacy:Phone"] = "Reject" });

        var options = services.GetRequiredService<IOptions<PrivacyOptions>>().Value;

        Assert.Equal(PiiAction.Reject, options.Phone);
        Assert.Equal(PiiAction.Redact, options.Email);
        Assert.NotEmpty(services.GetRequiredService<PiiRequestGuard>().Check(Request("call me at +1 415-555-0132")));
        Assert.Equal("call me at [PHONE]", services.GetRequiredService<IPiiRedactor>().RedactText("call me at +1 415-555-0132").Text);
    }
}
