namespace OpenSesame.Predictor.Tests.Prediction;

public sealed class StripeExampleTests
{
    [Theory]
    [InlineData("/v1")]
    [InlineData("")]
    public async Task FinishingBillingAfterTouchingAnInvoiceSuggestsActingOnThatInvoice(string prefix)
    {
        using var predictor = new TestPredictor();

        var response = await predictor.PredictAsync(EvalData.StripeSpec, "Let's finish billing for Q2", 5,
            $"GET {prefix}/invoices", $"PUT {prefix}/invoices/in_123/status");

        foreach (var p in response.Predictions)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{p.Endpoint} {p.Score} {string.Join(",", p.Params.Select(kv => kv.Key + "=" + kv.Value))} | {p.Why}");
        }

        Assert.Equal(5, response.Predictions.Count);
        Assert.Equal(5, response.Predictions.Select(p => p.Endpoint).Distinct().Count());
        Assert.DoesNotContain(response.Predictions, p => p.Endpoint.StartsWith("DELETE", StringComparison.Ordinal));
        Assert.Contains(response.Predictions, p =>
            p.Endpoint is "POST /v1/invoices/{invoice}/finalize" or "POST /v1/invoices/{invoice}/pay" or "POST /v1/invoices/{invoice}/send"
            && Equals(p.Params["invoice"], "in_123"));
    }
}
