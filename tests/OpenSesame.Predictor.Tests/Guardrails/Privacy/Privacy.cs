using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Guardrails.Privacy;

namespace OpenSesame.Predictor.Tests.Guardrails.Privacy;

/// <summary>The redactor as the service wires it, the labelled corpus, and JSON helpers for the privacy tests.</summary>
internal static class Privacy
{
    private static readonly Lazy<List<PiiCorpusLine>> LazyCorpus =
        new(() => PiiCorpus.Load(Path.Combine(AppContext.BaseDirectory, "Guardrails", "pii-corpus.jsonl")));

    public static IReadOnlyList<PiiCorpusLine> Corpus => LazyCorpus.Value;

    public static IPiiRedactor Redactor(IDictionary<string, string?>? settings = null) => Services(settings).GetRequiredService<IPiiRedactor>();

    public static ServiceProvider Services(IDictionary<string, string?>? settings = null) =>
        new ServiceCollection()
            .AddPredictor(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build())
            .BuildServiceProvider();

    public static Dictionary<string, JsonElement> Params(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    public static void AssertJsonEqual(string expected, IReadOnlyDictionary<string, JsonElement> actual)
    {
        var actualJson = JsonSerializer.Serialize(actual);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actualJson)),
            $"expected {expected}{Environment.NewLine}     got {actualJson}");
    }
}
