using System.Text.Json;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;

namespace OpenSesame.Predictor.Tests.Critique;

public sealed class ParameterFillerTests
{
    private static Filled Fill(string key, string? prompt, params HistoryEvent[] history) =>
        FillProposed(key, null, prompt, history);

    // A candidate an LLM proposed with these params (a JSON object).
    private static Filled FillProposed(string key, string? proposedJson, string? prompt, params HistoryEvent[] history)
    {
        var context = PredictionContext.Create(TestSpecs.Billing, history, prompt, DateTimeOffset.UnixEpoch);
        var proposed = proposedJson is null
            ? ProposedCall.NoParams
            : JsonDocument.Parse(proposedJson).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return Filled.By(context, new ProposedCall(TestSpecs.Billing.Operations.Single(o => o.Key == key)) { Params = proposed },
            GeneratorNames.Llm);
    }

    private sealed record Filled(IReadOnlyDictionary<string, object?> Params)
    {
        public static Filled By(PredictionContext context, ProposedCall call, string generator = GeneratorNames.Local) =>
            new(ParameterFiller.Fill(context, CandidatePool.Merge([(generator, [call])]).Candidates[0],
                new Lazy<SeenValues>(() => new SeenValues(context))));
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
        var candidate = Filled.By(context, new ProposedCall(catalog.Find("POST", "/orders/{id}/ship")!));

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

    [Fact]
    public void TakesAProposedValueForADeclaredParameterNobodyElseFilled() =>
        Assert.Equal("2025-07-31", FillProposed("POST /v1/invoices/{invoice}", """{"due_date": "2025-07-31"}""", null).Params["due_date"]);

    [Fact]
    public void MapsAProposedNameThatDiffersOnlyInCaseAndSeparatorsToTheDeclaredOne()
    {
        var candidate = FillProposed("POST /v1/invoices/{invoice}", """{"dueDate": "2025-07-31", "Memo": "Q2"}""", null);

        Assert.Equal("2025-07-31", candidate.Params["due_date"]);
        Assert.Equal("Q2", candidate.Params["memo"]);
        Assert.False(candidate.Params.ContainsKey("dueDate"));
    }

    [Fact]
    public void DropsProposedParametersTheOperationDoesNotDeclare() =>
        Assert.Equal(["customer", "status", "starting_after"],
            FillProposed("GET /v1/invoices", """{"status": "open", "color": "red", "customer": "cus_1", "starting_after": "in_9", "page": 2}""", null)
                .Params.Keys);

    [Fact]
    public void SendsAProposedNumberWrittenAsTextAsTheIntegerTheSchemaAsks()
    {
        var amount = FillProposed("POST /v1/invoices/{invoice}/lines", """{"amount": "1500", "description": "Setup"}""", null).Params["amount"];

        Assert.Equal(JsonValueKind.Number, Assert.IsType<JsonElement>(amount).ValueKind);
        Assert.Equal(1500, ((JsonElement)amount!).GetInt32());
    }

    [Fact]
    public void DropsAProposedValueOfTheWrongTypeAndLeavesARequiredParameterNull()
    {
        var candidate = FillProposed("POST /v1/invoices/{invoice}/lines", """{"amount": "a lot", "description": 12.5}""", null);

        Assert.Null(candidate.Params["amount"]);
        Assert.Equal("12.5", candidate.Params["description"]);
    }

    [Fact]
    public void AcceptsOnlyValuesOfTheEnumInTheSpecsSpelling()
    {
        Assert.Equal("paid", FillProposed("GET /v1/invoices", """{"status": "PAID"}""", null).Params["status"]);
        Assert.False(FillProposed("GET /v1/invoices", """{"status": "archived"}""", null).Params.ContainsKey("status"));
    }

    [Fact]
    public void PrefersTheHistoryAndThePromptOverAProposedValue()
    {
        var candidate = FillProposed("GET /v1/invoices", """{"customer": "cus_1", "status": "paid"}""", "invoices with status: open",
            TestSpecs.Event("GET /v1/customers", ("customer", "cus_9")));

        Assert.Equal("cus_9", candidate.Params["customer"]);
        Assert.Equal("open", candidate.Params["status"]);
    }

    [Fact]
    public void RefusesAPathIdTheModelInvented() =>
        Assert.Null(FillProposed("POST /v1/invoices/{invoice}/finalize", """{"invoice": "in_999"}""", "finalize it",
            TestSpecs.Event("GET /v1/customers/cus_9")).Params["invoice"]);

    [Fact]
    public void AcceptsAProposedPathIdTheHistoryHolds() =>
        // The id sits in a list the history values do not index, so only the proposal connects it to the invoice.
        Assert.Equal("in_7", FillProposed("POST /v1/invoices/{invoice}/finalize", """{"invoice_id": "in_7"}""", null,
            TestSpecs.Event("GET /v1/payments", ("expand", JsonSerializer.SerializeToElement(new List<string> { "in_7" })))).Params["invoice"]);

    [Fact]
    public void AcceptsAProposedPathIdThePromptMentions() =>
        Assert.Equal("in_7", FillProposed("POST /v1/invoices/{invoice}/send", """{"invoice": "in_7"}""", "mail in_7 to the client")
            .Params["invoice"]);

    [Fact]
    public void KeepsTheHistoryIdOverAProposedOneEvenWhenThePromptMentionsIt() =>
        Assert.Equal("in_1", FillProposed("POST /v1/invoices/{invoice}/send", """{"invoice": "in_2"}""", "compare with in_2",
            TestSpecs.Event("GET /v1/invoices/in_1")).Params["invoice"]);

    [Fact]
    public void DoesNotTakeAPartOfAnIdForTheId() =>
        Assert.Null(FillProposed("POST /v1/invoices/{invoice}/send", """{"invoice": "in_7"}""", "mail in_77 to the client")
            .Params["invoice"]);
}
