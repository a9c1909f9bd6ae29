using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Prediction;
using OpenSesame.Predictor.Telemetry;
using OpenSesame.Predictor.Tests.Candidates.Llm;
using OpenSesame.Predictor.Tests.Routing;
using static OpenSesame.Predictor.Tests.Candidates.Llm.FakeLlmServer;

namespace OpenSesame.Predictor.Tests.Telemetry;

/// <summary>The spans and measurements of a prediction, read with plain System.Diagnostics listeners (no exporter).</summary>
public sealed class PredictorTelemetryTests
{
    private static readonly string[] BillingAnswer = ["GET /v1/payments", "POST /v1/customers", "GET /v1/invoices"];

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnLlmCallIsAClientSpanUnderItsGeneratorStageWithProviderModelTokensCostAndOutcome()
    {
        using var spans = new SpanRecorder();
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server));

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        var trace = spans.TraceOf(response.PredictionId);
        var call = Assert.Single(response.Metadata.LlmCalls);
        var span = Assert.Single(trace, s => s.Kind == ActivityKind.Client);
        Assert.Equal("chat claude-3-haiku-20240307", span.DisplayName);
        Assert.Equal("generate.llm", trace.Single(s => s.SpanId == span.ParentSpanId).OperationName);
        Assert.Equal<object?>("anthropic", span.GetTagItem("gen_ai.provider.name"));
        Assert.Equal<object?>("claude-3-haiku-20240307", span.GetTagItem("gen_ai.request.model"));
        Assert.Equal<object?>(812L, span.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Equal<object?>(95L, span.GetTagItem("gen_ai.usage.output_tokens"));
        Assert.Equal<object?>("ok", span.GetTagItem("opensesame.llm.outcome"));
        Assert.Equal<object?>((double)call.CostUsd, span.GetTagItem("opensesame.llm.cost_usd"));
        Assert.True(call.CostUsd > 0);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(call.Ms, span.Duration.TotalMilliseconds, 0.002);
    }

    [Fact]
    public async Task ALlmCallThatFailedIsAnErrorSpanNamingWhy()
    {
        using var spans = new SpanRecorder();
        using var server = new FakeLlmServer(() => Reply.Status(400), () => Reply.Status(400));
        using var predictor = new TestPredictor(Settings(server));

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        var calls = spans.TraceOf(response.PredictionId).Where(s => s.Kind == ActivityKind.Client).ToList();
        Assert.Equal(response.Metadata.LlmCalls.Count, calls.Count);
        Assert.NotEmpty(calls);
        Assert.All(calls, span =>
        {
            Assert.Equal(ActivityStatusCode.Error, span.Status);
            Assert.Equal<object?>("error", span.GetTagItem("opensesame.llm.outcome"));
            Assert.Null(span.GetTagItem("gen_ai.usage.input_tokens"));
        });
    }

    [Fact]
    public async Task NoSpanCarriesThePromptAParameterValueAnEndpointOfTheHistoryOrWhoAsked()
    {
        using var spans = new SpanRecorder();
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server));
        var request = TestPredictor.Request(TestSpecs.BillingPath, "take a payment for zebracorn", 5,
            [new HistoryEvent(null, "GET", "/v1/invoices/in_secret_77",
                new Dictionary<string, JsonElement> { ["note"] = JsonSerializer.SerializeToElement("quokka-note") })]);
        request.UserId = "user-pangolin";
        request.SessionId = "session-axolotl";

        var outcome = await predictor.Service.PredictAsync(request, Cancel);

        var response = Assert.IsType<PredictionOutcome.Answered>(outcome).Response;
        var trace = spans.TraceOf(response.PredictionId);
        Assert.Contains(trace, s => s.Kind == ActivityKind.Client);
        var values = trace.SelectMany(s => s.TagObjects.Select(t => Convert.ToString(t.Value, CultureInfo.InvariantCulture) ?? "")
            .Append(s.DisplayName).Append(s.StatusDescription ?? "")).ToList();
        foreach (var secret in new[] { "zebracorn", "payment", "in_secret_77", "quokka", "pangolin", "axolotl" })
        {
            Assert.DoesNotContain(values, v => v.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task APredictionIsCountedByOutcomeAndRouteAndEachStageIsRecordedAsItsResponseReportsIt()
    {
        using var predictor = new TestPredictor();
        using var metrics = new MetricRecorder(predictor.Get<PredictorTelemetry>().Meter);

        var response = await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 3);
        var refused = await predictor.Service.PredictAsync(new PredictRequest { K = 0 }, Cancel);

        Assert.IsType<PredictionOutcome.Refused>(refused);
        Assert.Equal(
            [("answered", "local"), ("refused", "none")],
            metrics.Of("opensesame.predictions").Select(m => ((string)m.Tags["outcome"]!, (string)m.Tags["route"]!)));
        var stages = metrics.Of("opensesame.prediction.stage.duration").ToDictionary(m => (string)m.Tags["stage"]!, m => m.Value);
        Assert.Equal(response.Metadata.StagesMs.Keys.Order(StringComparer.Ordinal), stages.Keys.Order(StringComparer.Ordinal));
        Assert.All(response.Metadata.StagesMs, stage => Assert.Equal(stage.Value / 1000, stages[stage.Key], 1e-12));
        var duration = Assert.Single(metrics.Of("opensesame.prediction.duration"));
        Assert.Equal(response.ProcessingTimeMs / 1000, duration.Value, 1e-12);
        Assert.Equal<object?>(false, Assert.Single(metrics.Of("opensesame.spec.cache.lookups")).Tags["hit"]);
    }

    [Fact]
    public async Task LlmCallsAreCountedByProviderModelAndOutcomeWithTheTokensTheProviderReported()
    {
        using var server = new FakeLlmServer(() => Reply.Candidates(BillingAnswer));
        using var predictor = new TestPredictor(Settings(server));
        using var metrics = new MetricRecorder(predictor.Get<PredictorTelemetry>().Meter);

        await predictor.PredictAsync(TestSpecs.BillingPath, "take a payment", 5, "GET /v1/invoices");

        var call = Assert.Single(metrics.Of("opensesame.llm.calls"));
        Assert.Equal(("anthropic", "claude-3-haiku-20240307", "ok"),
            ((string)call.Tags["provider"]!, (string)call.Tags["model"]!, (string)call.Tags["outcome"]!));
        Assert.Equal([("input", 812d), ("output", 95d)],
            metrics.Of("opensesame.llm.tokens").Select(m => ((string)m.Tags["type"]!, m.Value)));
    }

    /// <summary>Every span of the service's source that ends while it listens.</summary>
    private sealed class SpanRecorder : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _spans = [];

        public SpanRecorder()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == PredictorTelemetry.Name,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = span =>
                {
                    lock (_spans)
                    {
                        _spans.Add(span);
                    }
                },
            };
            ActivitySource.AddActivityListener(_listener);
        }

        /// <summary>The spans of the trace whose <c>predict</c> span answered with this prediction id (other tests'
        /// predictions run beside this one).</summary>
        public List<Activity> TraceOf(string predictionId)
        {
            lock (_spans)
            {
                var predict = _spans.Single(s => s.OperationName == PredictorTelemetry.PredictSpan
                                                 && (string?)s.GetTagItem("opensesame.prediction.id") == predictionId);
                return [.. _spans.Where(s => s.TraceId == predict.TraceId)];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
