using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Candidates;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Critique;
using OpenSesame.Predictor.Features;
using OpenSesame.Predictor.Guardrails.Destructive;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Guardrails;

public sealed class DestructiveCallPolicyTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> DefaultWords() => [.. DestructiveCallPolicyOptions.DefaultWords];

    private static DestructiveCallPolicy Policy(DestructiveCallAction action = DestructiveCallAction.Drop,
        string[]? words = null, string[]? intentWords = null) =>
        new(new DestructiveCallPolicyOptions { Action = action, Words = words, IntentWords = intentWords });

    // One operation named three ways: by its last path segment, by its operationId, by its summary.
    private static EndpointCatalog Named(string word) => TestSpecs.Parse($$"""
        openapi: 3.0.0
        info: { title: t, version: '1' }
        paths:
          /things/{id}/{{word}}:
            post: { responses: { '200': { description: ok } } }
          /things/{id}/by-name:
            post: { operationId: {{word}}Thing, responses: { '200': { description: ok } } }
          /things/{id}/by-summary:
            put: { summary: '{{char.ToUpperInvariant(word[0]) + word[1..]}} the thing', responses: { '200': { description: ok } } }
          /things/{id}:
            get: { responses: { '200': { description: ok } } }
        """);

    [Theory]
    [MemberData(nameof(DefaultWords))]
    public void EachDefaultWordMakesACallDestructiveByPathOperationIdOrSummary(string word)
    {
        var operations = Named(word).Operations;

        Assert.All(operations.Where(o => o.Method != "GET"), o => Assert.True(DestructiveCallPolicy.Default.IsDestructive(o), o.Key));
        Assert.False(DestructiveCallPolicy.Default.IsDestructive(operations.Single(o => o.Method == "GET")));
    }

    [Theory]
    [InlineData("GET /refunds/{id}", "getRefund", null, false)]
    [InlineData("GET /tweets/search/all", null, "Full-archive search", false)]
    [InlineData("GET /auth.revoke", "auth_revoke", null, true)]
    [InlineData("POST /conversations.kick", "conversations_archive", null, true)]
    [InlineData("POST /payments/{id}/refunds", "refundPayment", "Refund a payment", true)]
    public void AReadsNameCountsByItsFirstWordAndOtherNamesByTheirFirstTwo(string endpoint, string? operationId,
        string? summary, bool destructive)
    {
        var (method, path) = (endpoint.Split(' ')[0].ToLowerInvariant(), endpoint.Split(' ')[1]);
        var parameters = path.Contains('{', StringComparison.Ordinal)
            ? "parameters: [ { name: id, in: path, required: true, schema: { type: string } } ], "
            : "";
        var catalog = TestSpecs.Parse($$"""
            openapi: 3.0.0
            info: { title: t, version: '1' }
            paths:
              {{path}}:
                {{method}}: { {{parameters}}operationId: '{{operationId}}', summary: '{{summary}}', responses: { '200': { description: ok } } }
            """);

        Assert.Equal(destructive, DestructiveCallPolicy.Default.IsDestructive(Assert.Single(catalog.Operations)));
    }

    [Fact]
    public void EveryDeleteIsDestructiveEvenWithAnEmptyWordList()
    {
        var catalog = TestSpecs.WithOperations("DELETE /things/{id}", "POST /things/{id}/void");

        var policy = Policy(words: []);

        Assert.True(policy.IsDestructive(catalog.Operations.Single(o => o.Method == "DELETE")));
        Assert.False(policy.IsDestructive(catalog.Operations.Single(o => o.Method == "POST")));
    }

    [Fact]
    public void AConfiguredWordListReplacesTheDefaults()
    {
        var catalog = TestSpecs.WithOperations("POST /loans/{id}/approve", "POST /loans/{id}/void");

        var policy = Policy(words: ["approve"]);

        Assert.True(policy.IsDestructive(catalog.Operations.Single(o => o.PathTemplate.EndsWith("approve", StringComparison.Ordinal))));
        Assert.False(policy.IsDestructive(catalog.Operations.Single(o => o.PathTemplate.EndsWith("void", StringComparison.Ordinal))));
    }

    [Theory]
    [InlineData("void the invoice", true)]
    [InlineData("voiding invoices from Q2", true)]
    [InlineData("cancelled orders should go", true)]
    [InlineData("get rid of the draft", true)]
    [InlineData("please refund the payment", true)]
    [InlineData("finalize the invoice", false)]
    [InlineData("list invoices", false)]
    public void ThePromptShowsIntentWithADestructiveWordOrAnIntentWord(string prompt, bool intent) =>
        Assert.Equal(intent, DestructiveCallPolicy.Default.HasIntent(Tokenizer.Terms(prompt)));

    [Fact]
    public void ConfiguredIntentWordsReplaceTheDefaultOnesButTheDestructiveWordsStillCount()
    {
        var policy = Policy(intentWords: ["scrap"]);

        Assert.True(policy.HasIntent(Tokenizer.Terms("scrap that invoice")));
        Assert.True(policy.HasIntent(Tokenizer.Terms("delete that invoice")));
        Assert.False(policy.HasIntent(Tokenizer.Terms("get rid of that invoice")));
    }

    [Theory]
    [InlineData(DestructiveCallAction.Drop, "finalize the invoice", false)]
    [InlineData(DestructiveCallAction.Drop, "void the invoice", true)]
    [InlineData(DestructiveCallAction.Flag, "finalize the invoice", true)]
    [InlineData(DestructiveCallAction.Flag, "void the invoice", true)]
    public void DropLeavesOutWhatNobodyAskedForAndFlagKeepsIt(DestructiveCallAction action, string prompt, bool kept)
    {
        var context = PredictionContext.Create(TestSpecs.Billing, [TestSpecs.Event("GET /v1/invoices/in_1")], prompt,
            DateTimeOffset.UnixEpoch, destructive: Policy(action));
        var voidInvoice = TestSpecs.Billing.Operations.Single(o => o.Key == "POST /v1/invoices/{invoice}/void");
        var finalize = TestSpecs.Billing.Operations.Single(o => o.Key == "POST /v1/invoices/{invoice}/finalize");
        var pool = CandidatePool.Merge([(GeneratorNames.Local, [new ProposedCall(voidInvoice), new ProposedCall(finalize)])]);

        var admitted = CandidateCritic.Review(context, pool);

        Assert.Equal(kept, admitted.Any(c => c.Operation == voidInvoice));
        Assert.Contains(admitted, c => c.Operation == finalize && !c.Destructive);
        Assert.All(admitted.Where(c => c.Operation == voidInvoice), c => Assert.True(c.Destructive));
    }

    [Theory]
    [InlineData(DestructiveCallAction.Drop)]
    [InlineData(DestructiveCallAction.Flag)]
    public async Task AppliesToTheCandidatesOfEveryGenerator(DestructiveCallAction action)
    {
        var deletes = TestSpecs.Billing.Operations.Where(o => o.Method == "DELETE").ToList();
        var pipeline = new CandidatePipeline([new FixedGenerator("other", deletes)], Options.Create(new PredictionOptions()), TimeProvider.System);
        var context = PredictionContext.Create(TestSpecs.Billing, [TestSpecs.Event("GET /v1/customers/cus_1")], "show the customer",
            DateTimeOffset.UnixEpoch, destructive: Policy(action));

        var ranked = (await pipeline.RankAsync(context, 5, new HeuristicRanker(), Cancel)).Ranked;

        if (action == DestructiveCallAction.Drop)
        {
            Assert.Empty(ranked);
        }
        else
        {
            Assert.Equal(deletes.Select(o => o.Key).Order(StringComparer.Ordinal), ranked.Select(c => c.Operation.Key).Order(StringComparer.Ordinal));
            Assert.All(ranked, c => Assert.True(c.Destructive && c.Source == "other"));
        }
    }

    [Fact]
    public async Task TheServiceDropsDestructiveCallsByDefaultAndFlagsThemWhenConfigured()
    {
        using var dropping = new TestPredictor(new Dictionary<string, string?> { ["Prediction:SemanticRetrieval"] = "false" });
        using var flagging = new TestPredictor(new Dictionary<string, string?>
        {
            ["Prediction:SemanticRetrieval"] = "false",
            ["Guardrails:Destructive:Action"] = "Flag",
        });

        var dropped = await dropping.PredictAsync(TestSpecs.BillingPath, "look at the invoice", 20, "GET /v1/invoices/in_1");
        var flagged = await flagging.PredictAsync(TestSpecs.BillingPath, "look at the invoice", 20, "GET /v1/invoices/in_1");

        Assert.DoesNotContain(dropped.Predictions, p => p.Destructive);
        Assert.Contains(flagged.Predictions, p => p.Endpoint == "POST /v1/invoices/{invoice}/void" && p.Destructive);
        Assert.Contains(flagged.Predictions, p => p.Endpoint == "DELETE /v1/invoices/{invoice}" && p.Destructive);
        Assert.All(flagged.Predictions.Where(p => !p.Endpoint.StartsWith("DELETE", StringComparison.Ordinal)
                                                   && !p.Endpoint.EndsWith("void", StringComparison.Ordinal)
                                                   && !p.Endpoint.EndsWith("refund", StringComparison.Ordinal)),
            p => Assert.False(p.Destructive, p.Endpoint));
    }

    [Fact]
    public async Task TheServiceReadsTheWordListFromConfiguration()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?>
        {
            ["Prediction:SemanticRetrieval"] = "false",
            ["Guardrails:Destructive:Words:0"] = "finalize",
        });

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "look at the invoice", 20, "GET /v1/invoices/in_1");

        Assert.DoesNotContain(response.Predictions, p => p.Endpoint == "POST /v1/invoices/{invoice}/finalize");
        Assert.Contains(response.Predictions, p => p.Endpoint == "POST /v1/invoices/{invoice}/void" && !p.Destructive);
    }

    [Fact]
    public void AWordListWithPhrasesIsRefusedAtStart()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Guardrails:Destructive:Words:0"] = "void invoice" });

        Assert.Throws<OptionsValidationException>(() => predictor.Get<DestructiveCallPolicy>());
    }

    private sealed class FixedGenerator(string name, IReadOnlyList<ApiOperation> operations) : ICandidateGenerator
    {
        public string Name => name;

        public ValueTask<IReadOnlyList<ProposedCall>> GenerateAsync(CandidateRequest request, int count, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ProposedCall>>([.. operations.Take(count).Select(o => new ProposedCall(o))]);
    }
}
