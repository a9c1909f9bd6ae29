using OpenSesame.Evaluation;
using OpenSesame.Evaluation.Datasets;

namespace OpenSesame.Evaluation.Tests;

public sealed class NestfulAdapterTests
{
    private static string Data => EvalData.PathOf("nestful/data/executable/executable-data.json");

    private static string EndpointList => EvalData.PathOf("nestful/data/executable/executable-spec.json");

    private static List<string> OperationKeys(EvalSpec spec) =>
        [.. new EvalSpecCatalogs().Get(spec).Operations.Select(o => o.Key)];

    [Fact]
    public void LoadsTheEightyFiveItemsAndEveryCallMapsToTheBuiltSpec()
    {
        var run = EvalRun.Of("nestful", Data);

        Assert.Equal(85, run.Tasks.Count);
        Assert.Equal(233, run.GoldCalls); // SOURCES.md: 2:44, 3:30, 4:4, 5:5, 7:2 real calls, var_result not counted
        Assert.Equal(233, run.Cases.Count);
        Assert.Equal(0, run.Report.UnmappedCalls);
        Assert.Empty(run.Report.LooseMatches);
        Assert.All(run.Tasks, t => Assert.Same(run.Tasks[0].Spec, t.Spec));
    }

    [Fact]
    public void AnItemAsksForItsCallsInOrderWithoutTheFinalAnswerStep()
    {
        var run = EvalRun.Of("nestful", Data);

        Assert.StartsWith("Find flights from New York to London", run.Task("nestful/0").Prompt, StringComparison.Ordinal);
        Assert.Equal(
            ["GET /api/v1/flights/searchAirport", "GET /api/v1/flights/searchAirport", "GET /api/v2/flights/searchFlightsComplete",
             "GET /api/v1/hotels/searchLocation", "GET /api/v1/hotels/searchHotels"],
            run.ExpectedOf("nestful/0"));
    }

    [Fact]
    public void TheEndpointListBecomesOneOpenApiDocumentWithAnOperationPerEndpoint()
    {
        var spec = NestfulAdapter.BuildSpec(EndpointList);

        var keys = OperationKeys(spec.Spec);

        // 39 endpoints, two of which are one Tripadvisor endpoint under two names.
        Assert.Equal(38, keys.Count);
        Assert.Equal(39, spec.CallsByName.Count);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void EndpointsSharingAPathAcrossHostsGetTheirHostAsAFirstSegment()
    {
        var spec = NestfulAdapter.BuildSpec(EndpointList);

        var keys = OperationKeys(spec.Spec);

        Assert.Contains("GET /newsapi90/search", keys);
        Assert.Contains("GET /local-business-data/search", keys);
        Assert.Contains("GET /real-time-product-search/search", keys);
        Assert.DoesNotContain("GET /search", keys);
        Assert.Equal("GET /newsapi90/search", spec.CallsByName["NewsAPISearchByKeyWord"].Endpoint);
        Assert.Equal("GET /searchBooks", spec.CallsByName["Goodreads_Search_Book_By_Keyword"].Endpoint);
    }

    [Fact]
    public void TwoNamesOfOneEndpointAreOneOperation()
    {
        var spec = NestfulAdapter.BuildSpec(EndpointList);

        Assert.Equal(spec.CallsByName["TripadvisorSearchRestaurants"], spec.CallsByName["Tripadvisor_Search_Restaurants"]);
        var operation = new EvalSpecCatalogs().Get(spec.Spec).Find("GET", "/api/v1/restaurant/searchRestaurants")!;
        Assert.Equal(["locationId", "page"], operation.Parameters.Select(p => p.Name)); // the union of both definitions
    }

    [Fact]
    public void PathParametersMissingFromThePathAreAppendedToIt()
    {
        var spec = NestfulAdapter.BuildSpec(EndpointList);

        Assert.Equal("GET /news/v1/{location}", spec.CallsByName["Coronavirus_Smartable_GetNews"].Endpoint);
        Assert.Equal("GET /", spec.CallsByName["Get_Country_Details_By_Country_Name"].Endpoint);
    }

    [Fact]
    public void GoldCallsCarryLiteralArgumentsButNotReferencesToEarlierOutputs()
    {
        var task = new NestfulAdapter().Load(Data, null).First();

        Assert.Equal(new Dictionary<string, string> { ["query"] = "New York" }, task.Gold[0].Params);
        Assert.Equal(new Dictionary<string, string> { ["date"] = "2024-08-15", ["returnDate"] = "2024-08-18" }, task.Gold[2].Params);
    }

    [Fact]
    public void NonStringArgumentsAreKeptAsJsonText()
    {
        using var temp = new TempFolder();
        temp.Write("executable-spec.json", """
            [{"name": "Find", "method": "GET", "endpoint": "/find", "host": "finder.p.rapidapi.com",
              "query_parameters": {"q": {"type": "String"}, "limit": {"type": "Number"}}}]
            """);
        var data = temp.Write("items.json", """
            [{"input": "find", "output": [
              {"name": "Find", "arguments": {"q": "a", "limit": 5, "exact": true, "tags": ["x", "y"], "ref": "$var0.id$"}, "label": "var1"},
              {"name": "Unknown_Endpoint", "arguments": {}, "label": "var2"},
              {"name": "var_result", "arguments": {"r": "$var1$"}}]}]
            """);

        var run = EvalRun.Of("nestful", data);

        var gold = Assert.Single(run.Tasks).Gold;
        Assert.Equal(new Dictionary<string, string> { ["q"] = "a", ["limit"] = "5", ["exact"] = "true", ["tags"] = "[\"x\",\"y\"]" },
            gold[0].Params);
        Assert.Equal("GET /Unknown_Endpoint", gold[1].Endpoint); // a name the list lacks: kept, and reported as unmapped
        Assert.Equal(1, run.Report.UnmappedCalls);
    }

    [Fact]
    public void AMissingEndpointListOverrideIsNamed()
    {
        using var temp = new TempFolder();
        var data = temp.Write("items.json", "[]");
        var missing = temp.PathOf("executable-spec.json");

        var error = Assert.Throws<EvalDataException>(() => new NestfulAdapter().Load(data, missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnItemWithoutOutputAmongGoodOnesIsSkippedAndReported()
    {
        using var temp = new TempFolder();
        temp.Write("executable-spec.json", """
            [{"name": "Find", "method": "GET", "endpoint": "/find", "host": "finder.p.rapidapi.com"}]
            """);
        var data = temp.Write("items.json", """
            [{"input": "find", "output": [{"name": "Find", "arguments": {}}]},
             {"input": "no output"},
             {"input": "find again", "output": [{"name": "Find", "arguments": {}}]}]
            """);
        var report = new EvalReport();

        var tasks = new NestfulAdapter().Load(data, null, report).ToList();

        Assert.Equal(["nestful/0", "nestful/2"], tasks.Select(t => t.Id));
        Assert.Contains("item 1: the field 'output'", report.Skipped["nestful: a malformed item (skipped)"].Examples.Single(), StringComparison.Ordinal);
    }
}
