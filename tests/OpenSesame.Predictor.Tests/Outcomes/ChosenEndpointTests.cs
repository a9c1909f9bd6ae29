using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Predictor.Tests.Outcomes;

/// <summary>The call a client says it made, as the operation template an outcome keeps.</summary>
public sealed class ChosenEndpointTests
{
    private static readonly ServedPrediction Served = new("p-1", DateTimeOffset.UnixEpoch, "u-1", "s-1",
        TestSpecs.Billing.ContentHash, "heuristic-v1", 1, "hash", 2,
    [
        new ServedCandidate("GET /v1/invoices/{invoice}", 0.5, []),
        new ServedCandidate("POST /v1/invoices/{invoice}/finalize", 0.2, []),
        new ServedCandidate("GET /v1/invoices/search", 0.1, []),
    ]);

    [Theory]
    [InlineData("GET", "/v1/invoices/{invoice}", "GET /v1/invoices/{invoice}")]
    [InlineData("POST", "/v1/invoices/in_123/finalize", "POST /v1/invoices/{invoice}/finalize")]
    [InlineData("GET", "/v1/invoices/search?query=paid", "GET /v1/invoices/search")]
    [InlineData("POST", "/v1/customers", "POST /v1/customers")]
    [InlineData("GET", "https://api.example.com/v1/invoices/in_9", "GET /v1/invoices/{invoice}")]
    public void WithTheSpecAtHandACallBecomesItsOperation(string method, string path, string expected) =>
        Assert.Equal(expected, ChosenEndpoint.Resolve(method, path, Served, TestSpecs.Billing));

    [Fact]
    public void WithTheSpecAtHandACallItDoesNotDeclareIsNone() =>
        Assert.Null(ChosenEndpoint.Resolve("GET", "/v1/no-such-thing/in_1", Served, TestSpecs.Billing));

    [Theory]
    [InlineData("POST", "/v1/invoices/in_123/finalize", "POST /v1/invoices/{invoice}/finalize")]
    [InlineData("GET", "/v1/invoices/search", "GET /v1/invoices/search")]
    [InlineData("GET", "/v1/invoices/in_123", "GET /v1/invoices/{invoice}")]
    [InlineData("GET", "/v1/invoices/{id}", "GET /v1/invoices/{invoice}")]
    public void WithoutTheSpecACallIsMatchedToTheLoggedCandidatesPreferringLiterals(string method, string path, string expected) =>
        Assert.Equal(expected, ChosenEndpoint.Resolve(method, path, Served, catalog: null));

    [Fact]
    public void WithoutTheSpecACallOutsideTheCandidatesKeepsOnlyTheirWords() =>
        Assert.Equal("DELETE /v1/invoices/{?}/{?}/{id}",
            ChosenEndpoint.Resolve("DELETE", "/v1/invoices/in_123/jane@example.com/{id}", Served, catalog: null));
}
