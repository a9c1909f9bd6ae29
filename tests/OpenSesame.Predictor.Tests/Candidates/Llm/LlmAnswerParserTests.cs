using OpenSesame.Predictor.Candidates.Llm;

namespace OpenSesame.Predictor.Tests.Candidates.Llm;

public sealed class LlmAnswerParserTests
{
    private const string Answer =
        """{"candidates": [{"endpoint": "GET /v1/invoices/{invoice}", "params": {"invoice": "in_1", "limit": 3}, "reason": "read it"}, {"endpoint": "GET /v1/payments"}]}""";

    [Theory]
    [InlineData(Answer)]
    [InlineData("```json\n" + Answer + "\n```")]
    [InlineData("```\n" + Answer + "\n```")]
    [InlineData("Here are my predictions:\n" + Answer + "\nLet me know if you need more.")]
    [InlineData("Sure! ```json\n" + Answer + "\n``` These follow the invoice flow.")]
    public void ReadsTheRequiredJsonAsPlainTextInFencesOrAmidProse(string text)
    {
        var proposals = LlmAnswerParser.Parse(text);

        Assert.NotNull(proposals);
        Assert.Equal(["GET /v1/invoices/{invoice}", "GET /v1/payments"], proposals.Select(p => p.Endpoint));
        Assert.Equal("in_1", proposals[0].Params["invoice"].GetString());
        Assert.Equal(3, proposals[0].Params["limit"].GetInt32());
        Assert.Equal("read it", proposals[0].Reason);
        Assert.Empty(proposals[1].Params);
        Assert.Null(proposals[1].Reason);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("I think you should list the invoices.")]
    [InlineData("""{"candidates": [{"endpoint": "GET /v1/payments"}, {"endpoint": "GET /v1/inv""")]
    [InlineData("""{"candidates": [{"endpoint": "GET /v1/payments"}""")]
    [InlineData("""{"predictions": [{"endpoint": "GET /v1/payments"}]}""")]
    [InlineData("""{"candidates": [{"endpoint": "GET /v1/payments"}], "note": "extra"}""")]
    [InlineData("""{"candidates": {"endpoint": "GET /v1/payments"}}""")]
    [InlineData("""{"candidates": ["GET /v1/payments"]}""")]
    [InlineData("""{"candidates": [{"endpoint": 42}]}""")]
    [InlineData("""{"candidates": [{"path": "/v1/payments"}]}""")]
    [InlineData("""{"candidates": [{"endpoint": "GET /v1/payments", "params": ["limit"]}]}""")]
    [InlineData("""{"candidates": [{"endpoint": "GET /v1/payments", "reason": 3}]}""")]
    [InlineData("""[{"endpoint": "GET /v1/payments"}]""")]
    [InlineData("""{'candidates': [{'endpoint': 'GET /v1/payments'}]}""")]
    public void RejectsAnythingElse(string? text) => Assert.Null(LlmAnswerParser.Parse(text));

    [Fact]
    public void TheFirstCompleteObjectDecidesSoALaterOneCannotSmuggleCandidatesIn()
    {
        var text = """{"thoughts": "listing"} and then {"candidates": [{"endpoint": "GET /v1/payments"}]}""";

        Assert.Null(LlmAnswerParser.Parse(text));
    }

    [Fact]
    public void AnEmptyListIsAValidAnswerWithNoProposals() =>
        Assert.Empty(LlmAnswerParser.Parse("""{"candidates": []}""")!);

    [Fact]
    public void ExtraFieldsOfACandidateAreIgnored()
    {
        var proposals = LlmAnswerParser.Parse("""{"candidates": [{"endpoint": "GET /v1/payments", "confidence": 0.9}]}""");

        Assert.Equal("GET /v1/payments", Assert.Single(proposals!).Endpoint);
    }
}
