using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Prediction;

namespace OpenSesame.Predictor.Tests.Critique;

public sealed class ParameterFillerTests
{
    private static Candidate Fill(string key, string? prompt, params HistoryEvent[] history)
    {
        var context = PredictionContext.Create(TestSpecs.Billing, history, prompt, DateTimeOffset.UnixEpoch);
        var candidate = new Candidate(TestSpecs.Billing.Operations.Single(o => o.Key == key), "local");
        ParameterFiller.Fill(context, candidate);
        return candidate;
    }

    [Fact]
    public void FillsAPathParameterWithTheIdOfTheLastCall() =>
        Assert.Equal("in_123", Fill("POST /v1/invoices/{invoice}/finalize", null, TestSpecs.Event("PUT /v1/invoices/in_123/status"))
            .Params["invoice"]);

    [Fact]
    public void TakesTheMostRecentIdWhenSeveralWereSeen() =>
        Assert.Equal("in_2", Fill("GET /v1/invoices/{invoice}/lines", null,
            TestSpecs.Event("GET /v1/invoices/in_1"), TestSpecs.Event("GET /v1/customers/cus_9"), TestSpecs.Event("GET /v1/invoices/in_2")).Params["invoice"]);

    [Fact]
    public void CarriesAnIdAcrossDifferentlyNamedParametersOfTheSameEntity()
    {
        var catalog = TestSpecs.WithOperations("GET /orders/{orderId}", "POST /orders/{id}/ship");
        var context = PredictionContext.Create(catalog, [TestSpecs.Event("GET /orders/ord_5")], null, DateTimeOffset.UnixEpoch);
        var candidate = new Candidate(catalog.Find("POST", "/orders/{id}/ship")!, "local");

        ParameterFiller.Fill(context, candidate);

        Assert.Equal("ord_5", candidate.Params["id"]);
    }

    [Fact]
    public void PrefersAnIdTheUserTypedInThePrompt() =>
        Assert.Equal("in_456", Fill("POST /v1/invoices/{invoice}/send", "now send invoice in_456", TestSpecs.Event("GET /v1/invoices/in_123"))
            .Params["invoice"]);

    [Fact]
    public void ListsUnknownRequiredParametersAsNullInsteadOfInventingThem()
    {
        var candidate = Fill("POST /v1/invoices/{invoice}/lines", null);

        Assert.Null(candidate.Params["invoice"]);
        Assert.True(candidate.Params.ContainsKey("amount"));
        Assert.Null(candidate.Params["amount"]);
        Assert.False(candidate.Params.ContainsKey("memo"));
    }

    [Fact]
    public void ReusesQueryAndBodyValuesTheHistorySent() =>
        Assert.Equal("cus_9", Fill("POST /v1/invoices", null, TestSpecs.Event("GET /v1/invoices", ("customer", "cus_9"))).Params["customer"]);

    [Fact]
    public void ReadsAValueThePromptStatesForAParameter() =>
        Assert.Equal("paid", Fill("GET /v1/invoices", "show invoices with status: paid").Params["status"]);

    [Fact]
    public void IgnoresABareWordAfterAParameterNameWithoutAConnector() =>
        Assert.False(Fill("GET /v1/invoices", "check the status of things").Params.ContainsKey("status"));
}
