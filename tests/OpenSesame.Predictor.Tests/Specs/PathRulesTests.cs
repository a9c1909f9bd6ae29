using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class PathRulesTests
{
    [Fact]
    public void BasePathsIncludeTheServersPathAndASharedVersionSegment()
    {
        var catalog = TestSpecs.Parse("""
            openapi: 3.0.0
            info: { title: t, version: '1' }
            servers: [ { url: 'https://api.example.com/rest' } ]
            paths:
              /v1/users: { get: { responses: { '200': { description: ok } } } }
              /v1/users/{id}: { get: { parameters: [ { name: id, in: path, required: true, schema: { type: string } } ], responses: { '200': { description: ok } } } }
              /v1/projects: { get: { responses: { '200': { description: ok } } } }
              /health: { get: { responses: { '200': { description: ok } } } }
            """);

        var basePaths = PathRules.BasePathsOf(catalog);

        Assert.Equal(["/rest", "/v1"], basePaths.Usual);
        Assert.Equal(["/rest", "/v1"], basePaths.All);
    }

    [Fact]
    public void LeadingSegmentsEveryPathSharesAreABasePathOnlyARepairTries()
    {
        var catalog = TestSpecs.WithOperations("GET /api/v2/users", "GET /api/v2/users/{id}", "GET /api/v2/projects");

        var basePaths = PathRules.BasePathsOf(catalog);

        Assert.Equal(["/api"], basePaths.Usual);
        Assert.Equal(["/api", "/api/v2"], basePaths.All);
    }

    [Fact]
    public void ASegmentThatNamesAResourceIsNoBasePathHoweverManyPathsShareIt()
    {
        var catalog = TestSpecs.WithOperations("GET /users", "GET /users/{id}", "GET /users/{id}/items");

        var basePaths = PathRules.BasePathsOf(catalog);

        Assert.Empty(basePaths.Usual);
        Assert.Empty(basePaths.All);
    }

    [Theory]
    [InlineData("{file_id}#add_shared_link", "{}#add_shared_link")]
    [InlineData("{id}#add_shared_link", "{}#add_shared_link")]
    [InlineData("{+path}", "{}")]
    [InlineData("{name}.{ext}", "{}.{}")]
    [InlineData("invoices", "invoices")]
    public void PlaceholdersOfAnyNameGiveASegmentTheSameShape(string segment, string shape) =>
        Assert.Equal(shape, PathRules.SegmentShape(segment));

    [Theory]
    [InlineData("{id}", true)]
    [InlineData("{+path}", true)]
    [InlineData("{id}.json", false)]
    [InlineData("{owner}{repo}", false)]
    [InlineData("v1", false)]
    public void OnlyASegmentThatIsOnePlaceholderIsAPureParameter(string segment, bool pure) =>
        Assert.Equal(pure, PathRules.IsPureParameter(segment));

    [Theory]
    [InlineData("https://api.example.com/v1/files/a%20b?expand=lines", "/v1/files/a b")]
    [InlineData(" v1/invoices?limit=3 ", "/v1/invoices")]
    [InlineData("/files/{file_id}#add_shared_link", "/files/{file_id}#add_shared_link")]
    public void ACalledPathIsReducedToItsPathAndKeepsAVariantFragment(string called, string path) =>
        Assert.Equal(path, PathRules.NormalizePath(called));

    [Fact]
    public void ABasePathIsRemovedFromAPathThatStartsWithItAndAddedToOneThatDoesNot()
    {
        var (removed, wasRemoved) = PathRules.WithOrWithoutBasePath(["V1", "invoices"], "/v1", bareIsRoot: false);
        var (added, wasAdded) = PathRules.WithOrWithoutBasePath(["invoices"], "/api/v2", bareIsRoot: false);

        Assert.Equal(["invoices"], removed);
        Assert.True(wasRemoved);
        Assert.Equal(["api", "v2", "invoices"], added);
        Assert.False(wasAdded);
    }

    [Fact]
    public void APathThatIsOnlyTheBasePathIsTheRootOrGainsTheBasePathTwice()
    {
        Assert.Empty(PathRules.WithOrWithoutBasePath(["v1"], "/v1", bareIsRoot: true).Segments);
        Assert.Equal(["v1", "v1"], PathRules.WithOrWithoutBasePath(["v1"], "/v1", bareIsRoot: false).Segments);
    }
}
