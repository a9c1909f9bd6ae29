using System.Text;
using System.Text.Json;
using OpenSesame.Predictor.Guardrails.Injection;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Tests.Prediction;

public sealed class PredictBodyScannerTests
{
    // Small limits keep the bodies small; Slack times them is where the scanner takes over.
    private static readonly PredictionOptions Small = new() { MaxPromptLength = 10, MaxEndpointLength = 12, MaxEvents = 3 };
    private static readonly InjectionDetector Detector = new(Microsoft.Extensions.Options.Options.Create(new InjectionOptions()));

    private static string Repeat(string text, int times) => string.Concat(Enumerable.Repeat(text, times));

    private static PredictBodyScanner Scan(string json, int chunk = int.MaxValue, PredictionOptions? options = null)
    {
        var scanner = new PredictBodyScanner(options ?? Small);
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var i = 0; i < bytes.Length; i += chunk)
        {
            scanner.Observe(bytes.AsSpan(i, Math.Min(chunk, bytes.Length - i)));
        }

        return scanner;
    }

    private static IDictionary<string, string[]> Validated(string json) => PredictRequestValidator.Validate(
        JsonSerializer.Deserialize<PredictRequest>(json, ContractJson.Options), Small, Detector, out _);

    public static TheoryData<string> FarOverALimit() => new()
    {
        $$"""{"spec_url":"samples/specs/billing.yaml","prompt":"{{Repeat("x", 41)}}"}""",
        // Escapes, two- and four-byte characters, and control characters normalisation removes (\r, \u0001, U+0085).
        $$"""{"spec_url":"s.yaml","prompt":"{{Repeat("\\u00e9é😀\\n\\r\\u0001\u0085\\\"", 10)}}"}""",
        $$"""{"PROMPT":"{{Repeat("y", 50)}}","events":[]}""",
        $$"""{"pr\u006fmpt":"{{Repeat("z", 50)}}"}""",
        $$"""{"user_id":"{{Repeat("u", 513)}}","session_id":"{{Repeat("s", 600)}}","prompt":"{{Repeat("p", 20)}}"}""",
        $$"""{"events":[{"endpoint":"GET /a"},{"params":{"endpoint":"{{Repeat("q", 80)}}"},"endpoint":"GET /{{Repeat("b", 60)}}"},{"endpoint":"GET /{{Repeat("c", 20)}}"}]}""",
        $$"""{"events":[{{string.Join(",", Enumerable.Repeat("""{"endpoint":"GET /a"}""", 13))}}],"prompt":"{{Repeat("w", 11)}}"}""",
        $$"""{"events":[{{string.Join(",", Enumerable.Repeat("{\"endpoint\":\"GET /" + Repeat("d", 60) + "\"}", 20))}}]}""",
    };

    [Theory]
    [MemberData(nameof(FarOverALimit))]
    public void ABodyFarOverALimitIsRefusedWithTheValidatorsOwnProblems(string json)
    {
        var scanner = Scan(json);

        Assert.True(scanner.Refused);
        // The validator also misses a spec in most of these; the scanner does not look for one.
        var expected = Validated(json).Where(e => !e.Key.StartsWith("spec", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(expected, scanner.Errors().ToDictionary());
        Assert.Equal(expected.Keys, scanner.Errors().Keys);
    }

    [Theory]
    [MemberData(nameof(FarOverALimit))]
    public void TheBodyMayArriveInChunksOfAnySize(string json)
    {
        var whole = Scan(json).Errors();

        foreach (var chunk in new[] { 1, 2, 3, 7, 64 })
        {
            Assert.Equal(whole, Scan(json, chunk).Errors());
        }
    }

    [Fact]
    public void ATwentyMegabytePromptIsRefusedWithinItsFirstKilobytes()
    {
        var scanner = new PredictBodyScanner(new PredictionOptions());
        var prompt = Encoding.UTF8.GetBytes($$"""{"spec_url":"s.yaml","prompt":"{{new string('x', 20_000_000)}}"}""");
        var seen = 0;
        while (!scanner.Refused)
        {
            scanner.Observe(prompt.AsSpan(seen, 4096));
            seen += 4096;
        }

        Assert.InRange(seen, 4 * 4000, 5 * 4000);
        scanner.Observe(prompt.AsSpan(seen));
        Assert.Equal("The prompt is 20000000 characters long; at most 4000 are accepted (Prediction:MaxPromptLength).",
            Assert.Single(scanner.Errors()["prompt"]));
    }

    [Theory]
    [InlineData("""{"prompt":"0123456789012345678901234567890123456789"}""", "prompt")] // 40: four times the limit
    [InlineData("""{"events":[{},{},{},{},{},{},{},{},{},{},{},{}]}""", "events")] // 12 events
    [InlineData("""{"events":[{"endpoint":"GET /0123456789012345678901234567890123456789012"}]}""", "events[0].endpoint")]
    public void ValuesUpToFourTimesTheirLimitAreLeftToTheValidator(string json, string field)
    {
        var scanner = Scan(json);

        Assert.False(scanner.Refused);
        Assert.Contains(field, Validated(json).Keys);
    }

    [Theory]
    [InlineData("spec")]
    [InlineData("spec_url")]
    [InlineData("something_else")]
    public void OtherFieldsAreNotMeasuredHoweverLargeTheyAre(string field)
    {
        var inside = $$"""{"prompt":"{{Repeat("x", 100)}}","events":[{{Repeat("{\"endpoint\":\"GET /\"},", 40)}}{}],"user_id":"{{Repeat("u", 999)}}"}""";

        Assert.False(Scan($$"""{"{{field}}":{{inside}},"prompt":"ok"}""").Refused);
        Assert.False(Scan($$"""{"{{field}}":{{JsonSerializer.Serialize(inside)}}}""").Refused);
        Assert.Empty(Scan($$"""{"{{field}}":[{{inside}}]}""").Errors());
    }

    [Fact]
    public void ParamsOfAnEventAreNotTakenForItsEndpoint()
    {
        var json = $$$"""{"events":[{"params":{"endpoint":"{{{Repeat("e", 100)}}}","x":{"endpoint":"{{{Repeat("e", 100)}}}"}},"endpoint":"GET /a"}]}""";

        Assert.False(Scan(json).Refused);
        Assert.Empty(Scan(json).Errors());
    }
}
