using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Guardrails.Audit;


namespace OpenSesame.Predictor.Tests.Guardrails.Audit;

/// <summary>The audit trail on the real pipeline and the real SQLite file.</summary>
public sealed class AuditLogTests
{

    [Fact]
    public async Task EveryPredictionIsRecordedWithItsAnswerAndTheSpecHash()
    {
        using var predictor = new TestPredictor();

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "send the invoice", 3, "GET /v1/invoices");

        var record = Assert.Single(await predictor.Get<IAuditLog>().QueryAsync("u-1", null, 10, TestContext.Current.CancellationToken));
        Assert.Equal(response.PredictionId, record.PredictionId);
        Assert.Equal(("u-1", "s-1"), (record.UserId, record.SessionId));
        Assert.Equal(response.Predictions.Select(p => p.Endpoint), record.Endpoints);
        Assert.Equal(TestSpecs.Billing.ContentHash, record.SpecHash);
        Assert.Equal(response.ModelVersion, record.ModelVersion);
        Assert.Equal("send the invoice", record.RedactedPrompt);
    }

    [Fact]
    public async Task PersonalDataInThePromptNeverReachesTheAuditTable()
    {
        using var predictor = new TestPredictor();

        await predictor.PredictAsync(TestSpecs.BillingPath, "email the invoice to jane.doe@example.com, card 4242 4242 4242 4242", 3);

        var record = Assert.Single(await predictor.Get<IAuditLog>().QueryAsync(null, null, 10, TestContext.Current.CancellationToken));
        Assert.DoesNotContain("jane.doe", record.RedactedPrompt, StringComparison.Ordinal);
        Assert.DoesNotContain("4242", record.RedactedPrompt, StringComparison.Ordinal);
        Assert.Contains("[EMAIL]", record.RedactedPrompt, StringComparison.Ordinal);
        Assert.Contains("pii-redacted", record.Flags);
    }

    [Fact]
    public async Task RecordsPastTheirRetentionAreDeletedAndNewerOnesKept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        using var predictor = new TestPredictor(time: time);
        var log = predictor.Get<IAuditLog>();
        await predictor.PredictAsync(TestSpecs.BillingPath, "old", 3);
        time.Advance(TimeSpan.FromDays(100));
        await predictor.PredictAsync(TestSpecs.BillingPath, "new", 3);
        var retention = new AuditRetentionService(log, Options.Create(new AuditOptions()), time, NullLogger<AuditRetentionService>.Instance);

        await retention.CleanUpAsync(TestContext.Current.CancellationToken);

        var left = await log.QueryAsync(null, null, 10, TestContext.Current.CancellationToken);
        Assert.Equal(["new"], left.Select(r => r.RedactedPrompt));
    }

    [Fact]
    public async Task NothingIsRecordedWhenTheAuditIsOff()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Audit:Enabled"] = "false" });

        await predictor.PredictAsync(TestSpecs.BillingPath, "send it", 3);

        Assert.Empty(await predictor.Get<IAuditLog>().QueryAsync(null, null, 10, TestContext.Current.CancellationToken));
    }
}
