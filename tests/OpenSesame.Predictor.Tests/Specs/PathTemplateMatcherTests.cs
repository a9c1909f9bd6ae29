using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class PathTemplateMatcherTests
{
    private static readonly EndpointCatalog Billing = TestSpecs.Billing;

    [Fact]
    public void MapsAConcreteCallToItsTemplateAndExtractsTheId()
    {
        var match = Billing.Matcher.Match("GET", "/v1/invoices/in_123");

        Assert.Equal(MatchKind.Exact, match.Kind);
        Assert.Equal("GET /v1/invoices/{invoice}", match.Operation?.Key);
        Assert.Equal("in_123", match.PathValues["invoice"]);
    }

    [Fact]
    public void MapsATemplatedCallEvenWhenItsParameterIsNamedDifferently()
    {
        var match = Billing.Matcher.Match("post", "/v1/invoices/{id}/finalize");

        Assert.Equal(MatchKind.Exact, match.Kind);
        Assert.Equal("POST /v1/invoices/{invoice}/finalize", match.Operation?.Key);
        Assert.Empty(match.PathValues);
    }

    [Theory]
    [InlineData("/invoices/in_9")]
    [InlineData("https://billing.example.com/v1/invoices/in_9")]
    [InlineData("/v1/invoices/in_9/?expand=lines")]
    public void AcceptsCallsWithoutTheVersionPrefixOrWithHostAndQuery(string path)
    {
        var match = Billing.Matcher.Match("GET", path);

        Assert.Equal("GET /v1/invoices/{invoice}", match.Operation?.Key);
        Assert.Equal("in_9", match.PathValues["invoice"]);
    }

    [Fact]
    public void StripsTheServerBasePathWhenTheCallIncludesIt()
    {
        var catalog = TestSpecs.Parse("""
            openapi: 3.0.0
            info: { title: t, version: '1' }
            servers: [ { url: 'https://api.example.com/3' } ]
            paths:
              /movie/{movie_id}:
                get: { parameters: [ { name: movie_id, in: path, required: true } ], responses: { '200': { description: ok } } }
            """);

        var match = catalog.Matcher.Match("GET", "/3/movie/550");

        Assert.Equal(MatchKind.Exact, match.Kind);
        Assert.Equal("550", match.PathValues["movie_id"]);
    }

    [Fact]
    public void PrefersALiteralSegmentOverAParameter()
    {
        var catalog = TestSpecs.WithOperations("GET /items/{id}", "GET /items/search");

        Assert.Equal("GET /items/search", catalog.Matcher.Match("GET", "/items/search").Operation?.Key);
        Assert.Equal("GET /items/{id}", catalog.Matcher.Match("GET", "/items/42").Operation?.Key);
    }

    [Fact]
    public void MatchesAnUndeclaredSubPathToTheLongestSpecPathThatPrefixesIt()
    {
        var match = Billing.Matcher.Match("PUT", "/v1/invoices/in_123/status");

        Assert.Equal(MatchKind.Prefix, match.Kind);
        Assert.Equal("/v1/invoices/{invoice}", match.PathTemplate);
        Assert.Equal("in_123", match.PathValues["invoice"]);
    }

    [Fact]
    public void ReportsAPathWhoseMethodTheSpecDoesNotDeclare()
    {
        var match = Billing.Matcher.Match("PATCH", "/v1/invoices/in_1");

        Assert.Equal(MatchKind.Path, match.Kind);
        Assert.Equal("/v1/invoices/{invoice}", match.PathTemplate);
    }

    [Fact]
    public void TheOperationsOnAPathAreFoundWhateverItsPlaceholdersAreNamed()
    {
        var catalog = TestSpecs.WithOperations("GET /files/{file_id}", "DELETE /files/{file_id}", "GET /files/{id}.{format}",
            "GET /files");

        Assert.Equal(["GET /files/{file_id}", "DELETE /files/{file_id}"],
            catalog.Matcher.OperationsOn(PathShape.Parse("/FILES/{id}")).Select(o => o.Key));
        Assert.Equal(["GET /files/{id}.{format}"], catalog.Matcher.OperationsOn(PathShape.Parse("/files/{f}.{ext}")).Select(o => o.Key));
        Assert.Empty(catalog.Matcher.OperationsOn(PathShape.Parse("/folders/{id}")));
    }

    [Fact]
    public void KeepsCallsThatMatchNothingAsUnmatchedInsteadOfFailing() =>
        Assert.Equal(MatchKind.None, Billing.Matcher.Match("GET", "/totally/unknown").Kind);

    [Fact]
    public void LetsAPathLikeTrailingParameterTakeSeveralSegments()
    {
        var catalog = TestSpecs.WithOperations("GET /repos/{owner}/{repo}/git/refs/{ref}", "GET /repos/{owner}/{repo}/contents/{path}");

        var reference = catalog.Matcher.Match("GET", "/repos/octo/hello/git/refs/heads/main");
        var content = catalog.Matcher.Match("GET", "/repos/octo/hello/contents/docs/README.md");

        Assert.Equal("heads/main", reference.PathValues["ref"]);
        Assert.Equal("docs/README.md", content.PathValues["path"]);
        Assert.Equal("octo", content.PathValues["owner"]);
    }

    [Fact]
    public void ExtractsParametersThatShareASegmentWithText()
    {
        var catalog = TestSpecs.WithOperations("GET /files/{name}.{format}");

        var match = catalog.Matcher.Match("GET", "/files/report.pdf");

        Assert.Equal(MatchKind.Exact, match.Kind);
        Assert.Equal("report", match.PathValues["name"]);
        Assert.Equal("pdf", match.PathValues["format"]);
    }

    [Fact]
    public void MapsCallsOfRpcStyleApisByTheirDottedMethodPath()
    {
        var catalog = TestSpecs.WithOperations("POST /chat.postMessage", "GET /conversations.list");

        Assert.Equal("POST /chat.postMessage", catalog.Matcher.Match("POST", "/chat.postMessage").Operation?.Key);
    }

    [Fact]
    public void MapsATemplatedCallToThePlainParameterRatherThanAFragmentVariant()
    {
        var catalog = TestSpecs.WithOperations("PUT /files/{file_id}", "PUT /files/{file_id}#add_shared_link");

        Assert.Equal("PUT /files/{file_id}", catalog.Matcher.Match("PUT", "/files/{id}").Operation?.Key);
        Assert.Equal("PUT /files/{file_id}", catalog.Matcher.Match("PUT", "/files/123").Operation?.Key);
    }

    [Fact]
    public void AHugeSegmentAgainstAMixedTemplateIsNoMatch()
    {
        var catalog = TestSpecs.WithOperations("GET /files/{file_id}.{ext}", "GET /files");

        var match = catalog.Matcher.Match("GET", "/files/" + new string('a', 200_000));

        Assert.NotEqual(MatchKind.Exact, match.Kind);
    }

    private static readonly EndpointCatalog Aliased = TestSpecs.WithOperations(
        "GET /repositories", "GET /issues", "GET /orgs/{org}/issues", "GET /repos/{owner}/{repo}",
        "GET /repos/{owner}/{repo}/issues", "GET /repos/{owner}/{repo}/issues/{issue_number}",
        "GET /repos/{owner}/{repo}/secrets/{secret_name}", "GET /repos/{owner}/{repo}/secrets/public-key",
        "GET /users/{username}/repos");

    [Theory]
    [InlineData("GET", "/repositories/42/issues", "GET /repos/{owner}/{repo}/issues")]
    [InlineData("GET", "/repositories/42", "GET /repos/{owner}/{repo}")]
    [InlineData("GET", "/user/7/repos", "GET /users/{username}/repos")]
    [InlineData("GET", "/repositories/42/secrets/public-key", "GET /repos/{owner}/{repo}/secrets/public-key")]
    public void MapsAnIdBasedAliasToTheSpecPathWithTheSameTail(string method, string path, string expected)
    {
        var match = Aliased.Matcher.Match(method, path);

        Assert.Equal(MatchKind.Alias, match.Kind);
        Assert.Equal(expected, match.Operation?.Key);
    }

    [Fact]
    public void TakesOnlyTheTailsValuesFromAnAlias()
    {
        var match = Aliased.Matcher.Match("GET", "/repositories/42/issues/7");

        Assert.Equal("GET /repos/{owner}/{repo}/issues/{issue_number}", match.Operation?.Key);
        Assert.Equal(new Dictionary<string, string> { ["issue_number"] = "7" }, match.PathValues);
    }

    [Theory]
    [InlineData("GET", "/widgets/42/issues")]
    [InlineData("DELETE", "/repositories/42/issues")]
    [InlineData("GET", "/repositories/42/labels")]
    [InlineData("GET", "/repo_settings/42/issues")]
    public void NoAliasWithoutAKindredCollectionTheSameTailAndTheMethod(string method, string path)
    {
        var match = Aliased.Matcher.Match(method, path);

        Assert.NotEqual(MatchKind.Alias, match.Kind);
        Assert.Null(new ResolvedEvent(new HistoryEvent(null, method, path, HistoryEvent.NoParams), match).Operation);
    }

    [Fact]
    public void TwoSpecPathsThatFitAnAliasEquallyWellAreNoMatch()
    {
        var catalog = TestSpecs.WithOperations("GET /repos/{owner}/issues", "GET /repo/{id}/issues");

        Assert.NotEqual(MatchKind.Alias, catalog.Matcher.Match("GET", "/repositories/42/issues").Kind);
    }

    [Fact]
    public void AnAliasMayFollowLeadingSegmentsTheSpecPathShares()
    {
        var catalog = TestSpecs.WithOperations("GET /v1/users/{user_id}/orders/{order_id}", "GET /v1/users");

        var match = catalog.Matcher.Match("GET", "/v1/user/5/orders/9");

        Assert.Equal(MatchKind.Alias, match.Kind);
        Assert.Equal("GET /v1/users/{user_id}/orders/{order_id}", match.Operation?.Key);
        Assert.Equal("9", match.PathValues["order_id"]);
        Assert.False(match.PathValues.ContainsKey("user_id"));
    }
}
