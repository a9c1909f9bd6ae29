using System.Text.Json;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Tests.Guardrails;

public sealed class PredictRequestValidatorTests
{
    private static readonly PredictionOptions Options = new();
    private static readonly InjectionDetector Detector = new(Microsoft.Extensions.Options.Options.Create(new InjectionOptions()));

    private static IDictionary<string, string[]> Errors(string json) =>
        PredictRequestValidator.Validate(JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options), Options, Detector, out _);

    [Fact]
    public void AcceptsTheCanonicalRequestAndDefaultsKToFive()
    {
        var errors = PredictRequestValidator.Validate(JsonSerializer.Deserialize<PredictRequest>("""
            { "user_id": "u-42", "events": [ { "ts": "2025-07-08T14:12:03Z", "endpoint": "GET /invoices", "params": {} } ],
              "prompt": "Let's finish billing", "spec_url": "https://example.com/spec3.yaml" }
            """, ContractJson.Options), Options, Detector, out var request);

        Assert.Empty(errors);
        Assert.Equal(5, request!.K);
        Assert.Equal("GET", request.Events[0].Method);
    }

    [Theory]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "k": 0 }""", "k")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "k": 21 }""", "k")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "events": [ { "params": {} } ] }""", "events[0].endpoint")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "events": [ { "endpoint": "invoices" } ] }""", "events[0].endpoint")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "events": [ null ] }""", "events[0]")]
    [InlineData("""{ "k": 3 }""", "spec_url")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "spec": { "openapi": "3.0.0" } }""", "spec")]
    [InlineData("""{ "spec_url": "ftp://x.io/s.json" }""", "spec_url")]
    [InlineData("""{ "spec": 42 }""", "spec")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "user_id": "robert'); drop table" }""", "user_id")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "session_id": "s 1" }""", "session_id")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "max_cost_usd": -0.001 }""", "max_cost_usd")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "events": [ { "endpoint": "GET /a", "params": { "a": { "b": { "c": { "d": { "e": { "f": 1 } } } } } } } ] }""", "events[0].params")]
    [InlineData("""{ "spec_url": "https://x.io/s.json", "events": [ { "endpoint": "GET /a", "params": { "a": [[[[[1]]]]] } } ] }""", "events[0].params")]
    public void NamesTheFieldOfEveryProblem(string json, string field) => Assert.Contains(field, Errors(json).Keys);

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0.0005", 0.0005)]
    public void PassesAMaxCostOfZeroOrMoreThroughToTheRequest(string json, decimal expected)
    {
        var errors = PredictRequestValidator.Validate(JsonSerializer.Deserialize<PredictRequest>(
            $$"""{ "spec_url": "https://x.io/s.json", "max_cost_usd": {{json}} }""", ContractJson.Options), Options, Detector, out var request);

        Assert.Empty(errors);
        Assert.Equal(expected, request!.MaxCostUsd);
    }

    [Fact]
    public void RefusesTooManyEventsAndTooLongPrompts()
    {
        var body = new PredictRequest
        {
            SpecUrl = "https://x.io/s.json",
            Prompt = new string('a', Options.MaxPromptLength + 1),
            Events = [.. Enumerable.Range(0, Options.MaxEvents + 1).Select(_ => new EventBody { Endpoint = "GET /a" })],
        };

        var errors = PredictRequestValidator.Validate(body, Options, Detector, out var request);

        Assert.Null(request);
        Assert.Contains("prompt", errors.Keys);
        Assert.Contains("events", errors.Keys);
    }

    [Fact]
    public void AcceptsParamsFiveLevelsDeepAndIdsOfSafeCharacters()
    {
        var errors = Errors("""
            { "spec_url": "https://x.io/s.json", "user_id": "alice@example.com", "session_id": "s-1:2.3_4",
              "events": [ { "endpoint": "GET /a", "params": { "a": { "b": { "c": { "d": { "e": 1 } } } } } } ] }
            """);

        Assert.Empty(errors);
    }

    [Fact]
    public void RefusesParamsLargerThanSixteenKilobytesPerEvent()
    {
        var body = new PredictRequest
        {
            SpecUrl = "https://x.io/s.json",
            Events = [new EventBody { Endpoint = "GET /a", Params = new() { ["note"] = JsonSerializer.SerializeToElement(new string('x', 16 * 1024)) } }],
        };

        var errors = PredictRequestValidator.Validate(body, Options, Detector, out _);

        Assert.Contains("16384", Assert.Single(errors["events[0].params"]), StringComparison.Ordinal);
    }

    [Fact]
    public void NormalisesThePromptAndStripsControlCharacters()
    {
        var body = new PredictRequest { SpecUrl = "https://x.io/s.json", Prompt = "cafe\u0301 \u001b[31minvoices\u0000\nnext\u0007" };

        PredictRequestValidator.Validate(body, Options, Detector, out var request);

        Assert.Equal("caf\u00e9 [31minvoices\nnext", request!.Prompt);
    }

    [Fact]
    public void ControlCharactersInAnEndpointDoNotMakeItInvalid()
    {
        var body = new PredictRequest { SpecUrl = "https://x.io/s.json", Events = [new EventBody { Endpoint = "GET /invoices\u0000" }] };

        PredictRequestValidator.Validate(body, Options, Detector, out var request);

        Assert.Equal("/invoices", request!.Events[0].Path);
    }

    [Fact]
    public void AMalformedEndpointIsEchoedUnlessItHoldsPersonalData()
    {
        var errors = Errors("""
            { "spec_url": "https://x.io/s.json", "events": [ { "endpoint": "invoices" }, { "endpoint": "mail jane.doe@example.com" } ] }
            """);

        Assert.Contains("'invoices'", Assert.Single(errors["events[0].endpoint"]), StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", Assert.Single(errors["events[1].endpoint"]), StringComparison.Ordinal);
    }
}
