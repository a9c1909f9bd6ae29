using OpenSesame.Training.Synthetic;

namespace OpenSesame.Training.Tests;

public sealed class SyntheticWorkflowTests
{
    private const string Spec = """
        openapi: 3.0.3
        info: {title: Tiny, version: "1"}
        paths:
          /things:
            get: {operationId: listThings, summary: List things, tags: [t], responses: {'200': {description: ok}}}
          /things/{thingId}:
            get: {operationId: getThing, summary: Get a thing, tags: [t], responses: {'200': {description: ok}}}
            delete: {operationId: deleteThing, summary: Delete a thing, tags: [t], responses: {'204': {description: ok}}}
          /widgets/{number}:
            get: {operationId: getWidget, summary: Get a widget, tags: [t], responses: {'200': {description: ok}}}
        """;

    [Fact]
    public void The_validator_reports_unknown_operations_bad_weights_unbound_slots_and_silent_unreachables()
    {
        var workflow = SyntheticWorkflow.Parse("""
            {
              "domain": "tiny",
              "entities": { "thing": { "id": { "kind": "numeric", "min": 1, "max": 9 } } },
              "start": { "GET /things": 1, "GET /nothing": 1 },
              "operations": {
                "GET /things": { "picks": ["thing"], "phrasings": ["list things"], "next": { "GET /things/{thingId}": 0, "GET /widgets/{number}": 1, "$end": 1 } },
                "GET /things/{thingId}": { "phrasings": ["open {thingId}"], "next": { "$end": 1 } },
                "GET /widgets/{number}": { "phrasings": ["open widget {number}"], "next": { "GET /things": 1 } }
              }
            }
            """);
        var problems = WorkflowValidator.Problems(new SyntheticDomain("tiny", Spec, workflow));

        Assert.Contains(problems, p => p.Contains("GET /nothing is not an operation", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GET /things → GET /things/{thingId} has weight 0", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("GET /things/{thingId} has no next operation besides $end", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no entity carries {number}", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("DELETE /things/{thingId} is never reached", StringComparison.Ordinal));
    }

    [Fact]
    public void Slots_bind_to_entities_by_the_name_path_shape_infers_or_by_an_alias()
    {
        var workflow = SyntheticWorkflow.Parse("""
            {
              "entities": {
                "thing": { "id": { "kind": "numeric", "min": 1, "max": 9 } },
                "widget": { "id": { "kind": "numeric", "min": 1, "max": 9 }, "params": ["number"] }
              }
            }
            """);
        var catalog = OpenSesame.Predictor.Specs.OpenApiCatalogParser.Parse(Spec);

        Assert.Equal("thing", workflow.EntityOf(catalog.Find("GET", "/things/{thingId}")!.Path.Slots[0]));
        Assert.Equal("widget", workflow.EntityOf(catalog.Find("GET", "/widgets/{number}")!.Path.Slots[0]));
    }

    [Fact]
    public void A_misspelt_workflow_field_fails_to_parse() =>
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => SyntheticWorkflow.Parse("""{ "startt": {} }"""));

    [Theory]
    [InlineData("Returns events on the specified calendar", "return events on the specified calendar")]
    [InlineData("Searches for messages matching a query", "search for messages matching a query")]
    [InlineData("Applies a fulfillment hold.", "apply a fulfillment hold")]
    [InlineData("Finalize an invoice", "finalize an invoice")]
    [InlineData("Access a report", "access a report")]
    public void Spec_summaries_become_imperative_prompts(string summary, string expected) =>
        Assert.Equal(expected, PromptWriter.Imperative(summary));

    [Fact]
    public void Noise_never_touches_ids()
    {
        var options = new SyntheticSamplerOptions { TypoProbability = 1, CasingProbability = 1, ExtraWordsProbability = 0 };
        var random = new Random(1);

        for (var i = 0; i < 200; i++)
        {
            var noisy = PromptWriter.Noise(random, "finalize invoice in_8Hk2Lq and send it", options);
            Assert.Contains("in_8Hk2Lq", noisy, StringComparison.Ordinal);
        }
    }
}
