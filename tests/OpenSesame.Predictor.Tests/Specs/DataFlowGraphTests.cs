using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class DataFlowGraphTests
{
    private const string Movies = """
        openapi: 3.0.0
        info: { title: movies, version: '1' }
        paths:
          /search/movie:
            get:
              operationId: searchMovie
              parameters: [{ name: query, in: query, required: true, schema: { type: string } }]
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          page: { type: integer }
                          results: { type: array, items: { $ref: '#/components/schemas/movie-list-object' } }
          /movie/{movie_id}:
            get:
              parameters: [{ name: movie_id, in: path, required: true, schema: { type: integer } }]
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          id: { type: integer }
                          belongs_to_collection: { type: object, properties: { id: { type: integer }, name: { type: string } } }
                          production_company_ids: { type: array, items: { type: integer } }
          /movie/{movie_id}/credits:
            get:
              parameters: [{ name: movie_id, in: path, required: true, schema: { type: integer } }]
              responses: { '200': { description: ok } }
          /collection/{collection_id}:
            get:
              parameters: [{ name: collection_id, in: path, required: true, schema: { type: integer } }]
              responses: { '200': { description: ok } }
          /reviews:
            post:
              requestBody:
                content:
                  application/json:
                    schema: { type: object, required: [movie_id], properties: { movie_id: { type: integer }, text: { type: string } } }
              responses: { '201': { description: created } }
        components:
          schemas:
            movie-list-object:
              type: object
              properties: { id: { type: integer }, title: { type: string } }
        """;

    private static readonly EndpointCatalog Catalog = TestSpecs.Parse(Movies);
    private static readonly DataFlowGraph Graph = Catalog.DataFlow;

    private static ApiOperation Op(string key) => Catalog.Operations.Single(o => o.Key == key);

    [Fact]
    public void AnIdInsideAListOfAReferencedSchemaIsProducedUnderTheSchemasName()
    {
        Assert.Contains(Tokenizer.Stem("movie"), Graph.Produces(Op("GET /search/movie")));
    }

    [Fact]
    public void NestedObjectsAndIdSuffixedFieldsNameTheirOwnEntities()
    {
        var produced = Graph.Produces(Op("GET /movie/{movie_id}"));

        Assert.Contains(Tokenizer.Stem("belongs_to_collection"), produced);
        Assert.Contains(Tokenizer.Stem("production_company"), produced);
    }

    [Fact]
    public void ADetailReadDoesNotProduceTheIdItWasGiven()
    {
        Assert.DoesNotContain(Tokenizer.Stem("movie"), Graph.Produces(Op("GET /movie/{movie_id}")));
    }

    [Fact]
    public void PathParametersAndRequiredIdFieldsAreConsumed()
    {
        Assert.Equal([Tokenizer.Stem("movie")], Graph.Consumes(Op("GET /movie/{movie_id}/credits")));
        Assert.Equal([Tokenizer.Stem("movie")], Graph.Consumes(Op("POST /reviews")));
        Assert.Empty(Graph.Consumes(Op("GET /search/movie")));
    }

    [Fact]
    public void TheSearchFeedsTheCallsThatNeedAMovieAndNotTheOthers()
    {
        Assert.True(Graph.Feeds(Op("GET /search/movie"), Op("GET /movie/{movie_id}/credits")));
        Assert.True(Graph.Feeds(Op("GET /search/movie"), Op("POST /reviews")));
        Assert.False(Graph.Feeds(Op("GET /search/movie"), Op("GET /collection/{collection_id}")));
        Assert.True(Graph.Feeds(Op("GET /movie/{movie_id}"), Op("GET /collection/{collection_id}")));
    }

    // The walker reads each schema of a document once; what it yields must still depend on where the schema is met.
    private const string SharedPages = """
        openapi: 3.0.0
        info: { title: shared, version: '1' }
        paths:
          /deep:
            get:
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema:
                        type: object
                        properties: { a: { type: object, properties: { b: { type: object, properties: { c: { type: object, properties: { d: { $ref: '#/components/schemas/page' } } } } } } } }
          /users:
            get:
              responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/page' } } } } }
          /teams:
            get:
              responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/page' } } } } }
          /teams/{team_id}/members:
            get:
              parameters: [{ name: team_id, in: path, required: true, schema: { type: string } }]
              responses:
                '200':
                  description: ok
                  content:
                    application/json:
                      schema: { type: object, properties: { team: { $ref: '#/components/schemas/page' } } }
        components:
          schemas:
            page:
              type: object
              properties: { results: { type: array, items: { $ref: '#/components/schemas/list-object' } } }
            list-object:
              type: object
              properties: { id: { type: string }, owner_id: { type: string } }
        """;

    [Fact]
    public void ASchemaSharedByOperationsYieldsTheEntitiesOfWhereEachMeetsIt()
    {
        var catalog = TestSpecs.Parse(SharedPages);
        IReadOnlyList<string> EntitiesOf(string key) => catalog.Operations.Single(o => o.Key == key).ResponseEntities;

        // Met first four objects deep, where its items are past the walk's depth.
        Assert.Empty(EntitiesOf("GET /deep"));
        Assert.Equal(["owner", "user"], EntitiesOf("GET /users"));
        Assert.Equal(["owner", "team"], EntitiesOf("GET /teams"));
        Assert.Equal(["owner", "team"], EntitiesOf("GET /teams/{team_id}/members"));
    }

    [Theory]
    [InlineData("repo", "repository", true)]
    [InlineData("collaborator", "repo_collaborator", true)]
    [InlineData("movie", "movie", true)]
    [InlineData("movie", "collection", false)]
    [InlineData("issue", "issue_comment", false)]
    [InlineData("id", "identity", false)]
    [InlineData("comment", "issuecomment", false)]
    [InlineData("comment", "_comment", true)]
    public void EntityNamesMatchWhenOneSpellsTheOtherOut(string a, string b, bool same)
    {
        Assert.Equal(same, DataFlowGraph.SameEntity(a, b));
        Assert.Equal(same, DataFlowGraph.SameEntity(b, a));
    }

    [Fact]
    public void OnTheRealTmdbSpecTheMovieSearchFeedsCreditsAndThePersonSearchFeedsPersonCredits()
    {
        var tmdb = OpenApiCatalogParser.Parse(File.ReadAllText(EvalData.PathOf("restbench/specs/tmdb_oas.json")));
        var graph = tmdb.DataFlow;
        ApiOperation Find(string key) => tmdb.Operations.Single(o => o.Key == key);

        Assert.True(graph.Feeds(Find("GET /search/movie"), Find("GET /movie/{movie_id}/credits")));
        Assert.True(graph.Feeds(Find("GET /search/person"), Find("GET /person/{person_id}/movie_credits")));
        Assert.False(graph.Feeds(Find("GET /search/person"), Find("GET /movie/{movie_id}/credits")));
    }

    [Fact]
    public void OnTheRealSpotifySpecASearchOrListFeedsThePlaylistTracks()
    {
        var spotify = OpenApiCatalogParser.Parse(File.ReadAllText(EvalData.PathOf("restbench/specs/spotify_oas.json")));
        var graph = spotify.DataFlow;
        var tracks = spotify.Operations.Single(o => o.Key == "GET /playlists/{playlist_id}/tracks");

        var producers = spotify.Operations.Where(o => graph.Feeds(o, tracks)).Select(o => o.Key).ToList();

        Assert.Contains("GET /me/playlists", producers);
    }
}
