using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using OpenSesame.Api.Tests.Security;
using OpenSesame.Predictor.Outcomes;

namespace OpenSesame.Api.Tests;

/// <summary><c>POST /feedback</c>: what became of a prediction, told explicitly or seen in the session's next request.</summary>
public sealed class FeedbackApiTests : IDisposable
{
    private const string Detail = "GET /v1/invoices/{invoice}";

    // Calls of the billing spec of which at most three are suggested after listing invoices.
    private static readonly string[] NeverFirst = ["GET /v1/customers", "GET /v1/customers/{customer}", "GET /v1/invoices/{invoice}/lines", "POST /v1/invoices/{invoice}/void"];
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ApiFactory _factory;
    private readonly HttpClient _client;

    public FeedbackApiTests()
    {
        _factory = new ApiFactory(time: _time);
        _client = _factory.CreateClient();
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        SqliteConnection.ClearAllPools();
    }

    private IOutcomeStore Store => _factory.Services.GetRequiredService<IOutcomeStore>();

    private async Task<JsonNode> PredictAsync(string session, params string[] calls)
    {
        using var response = await _client.PostAsJsonAsync("/predict", new
        {
            user_id = "u-1",
            session_id = session,
            events = calls.Select(c => new { endpoint = c }),
            spec_url = BillingSpec,
            k = 3,
        }, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, string? ContentType)> FeedbackAsync(object body) =>
        await SendAsync(JsonContent.Create(body));

    private async Task<(HttpStatusCode Status, JsonNode? Body, string? ContentType)> SendAsync(HttpContent content)
    {
        using (content)
        using (var response = await _client.PostAsync("/feedback", content, Cancel))
        {
            var text = await response.Content.ReadAsStringAsync(Cancel);
            return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null, response.Content.Headers.ContentType?.MediaType);
        }
    }

    private async Task<long> CountOutcomesAsync()
    {
        var database = _factory.Services.GetRequiredService<OpenSesame.Storage.Sqlite.SqliteDatabase>();
        await using var connection = await database.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM prediction_outcomes";
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    // The database and its write-ahead log as bytes, read while the service holds them open.
    private bool StoredBytesContain(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        return Directory.EnumerateFiles(_factory.DataDirectory, "opensesame.db*").Any(path =>
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            file.CopyTo(bytes);
            return bytes.ToArray().AsSpan().IndexOf(needle) >= 0;
        });
    }

    private static string[] Suggested(JsonNode prediction) =>
        [.. prediction["predictions"]!.AsArray().Select(p => (string)p!["endpoint"]!)];

    [Fact]
    public async Task AcceptingASuggestionByRankStoresItsOperationAndAnswersWithTheStoredOutcome()
    {
        var prediction = await PredictAsync("s-1", "GET /v1/invoices");
        var id = (string)prediction["prediction_id"]!;

        var (status, body, _) = await FeedbackAsync(new { prediction_id = id, outcome = "accepted", rank = 2 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            new JsonObject
            {
                ["prediction_id"] = id,
                ["outcome"] = "accepted",
                ["source"] = "explicit",
                ["chosen"] = new JsonObject { ["endpoint"] = Suggested(prediction)[1], ["rank"] = 2 },
                ["recorded_at"] = "2026-03-01T12:00:00+00:00",
            }.ToJsonString(),
            body!.ToJsonString());
    }

    [Fact]
    public async Task AConcreteCallIsStoredAsItsOperationWithItsRankAndWithoutItsValues()
    {
        var prediction = await PredictAsync("s-1", "GET /v1/invoices");
        var id = (string)prediction["prediction_id"]!;
        var rank = Array.IndexOf(Suggested(prediction), Detail) is var i and >= 0 ? i + 1 : (int?)null;

        var (status, body, _) = await FeedbackAsync(new
        {
            prediction_id = id,
            outcome = "overridden",
            chosen = new { endpoint = "GET /v1/invoices/in_jane@example.com", @params = new { invoice = "in_jane@example.com" } },
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Detail, (string?)body!["chosen"]!["endpoint"]);
        Assert.Equal(rank, (int?)body["chosen"]!["rank"]);
        Assert.Equal(new RecordedOutcome(id, OutcomeKind.Overridden, OutcomeSource.Explicit, Detail, rank, _time.GetUtcNow()),
            await Store.FindOutcomeAsync(id, Cancel));
        Assert.False(StoredBytesContain("jane@example.com"), "The chosen call's id reached the database file.");
    }

    [Fact]
    public async Task RepeatingTheSameFeedbackAnswersTheSameAndStoresOneOutcome()
    {
        var id = (string)(await PredictAsync("s-1", "GET /v1/invoices"))["prediction_id"]!;
        var feedback = new { prediction_id = id, outcome = "ignored" };

        var first = await FeedbackAsync(feedback);
        _time.Advance(TimeSpan.FromMinutes(5));
        var second = await FeedbackAsync(feedback);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal((first.Status, first.Body!.ToJsonString()), (second.Status, second.Body!.ToJsonString()));
        Assert.Equal(1, await CountOutcomesAsync());
    }

    [Fact]
    public async Task LaterFeedbackOnThePredictionReplacesTheEarlier()
    {
        var id = (string)(await PredictAsync("s-1", "GET /v1/invoices"))["prediction_id"]!;

        await FeedbackAsync(new { prediction_id = id, outcome = "ignored" });
        var (status, body, _) = await FeedbackAsync(new { prediction_id = id, outcome = "accepted", rank = 1 });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("accepted", (string?)body!["outcome"]);
        Assert.Equal(1, await CountOutcomesAsync());
    }

    [Fact]
    public async Task AnUnknownPredictionIs404WithProblemDetails()
    {
        var (status, body, contentType) = await FeedbackAsync(new { prediction_id = "no-such-prediction", outcome = "ignored" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("No such prediction.", (string?)body!["title"]);
        Assert.Contains("'no-such-prediction'", (string?)body["detail"], StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadBodies => new()
    {
        { """{"outcome": "ignored"}""", "prediction_id" },
        { """{"prediction_id": "p"}""", "outcome" },
        { """{"prediction_id": "p", "outcome": "loved"}""", "outcome" },
        { """{"prediction_id": "p", "outcome": "accepted"}""", "chosen" },
        { """{"prediction_id": "p", "outcome": "accepted", "rank": 1, "chosen": {"endpoint": "GET /v1/invoices"}}""", "rank" },
        { """{"prediction_id": "p", "outcome": "ignored", "rank": 1}""", "rank" },
        { """{"prediction_id": "p", "outcome": "ignored", "chosen": {"endpoint": "GET /v1/invoices"}}""", "chosen" },
        { """{"prediction_id": "p", "outcome": "overridden", "chosen": {"endpoint": "invoices please"}}""", "chosen.endpoint" },
        { """{"prediction_id": "p", "outcome": "overridden", "chosen": {}}""", "chosen.endpoint" },
        { """{"prediction_id": "p", "outcome": "accepted", "rank": 0}""", "rank" },
        { """{"prediction_id": "p", "outcome": "accepted", "rank": "first"}""", "rank" },
        { """{"prediction_id": 7, "outcome": "ignored"}""", "prediction_id" },
        { """{"prediction_id": "p", "outcome": "accepted", "chosen": "GET /v1/invoices"}""", "chosen" },
        { """[]""", "body" },
        { """null""", "body" },
        { """{"prediction_id": "p", """, "body" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task EveryBadFieldIs400ProblemDetailsNamingIt(string json, string field)
    {
        var (status, body, contentType) = await SendAsync(new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.True(body!["errors"]!.AsObject().ContainsKey(field), body.ToJsonString());
    }

    [Fact]
    public async Task ARankBeyondTheSuggestionsOrAnAcceptedCallOutsideThemIs400()
    {
        var prediction = await PredictAsync("s-1", "GET /v1/invoices");
        var id = (string)prediction["prediction_id"]!;
        var outside = NeverFirst.First(e => !Suggested(prediction).Contains(e));

        var rank = await FeedbackAsync(new { prediction_id = id, outcome = "accepted", rank = 4 });
        var accepted = await FeedbackAsync(new { prediction_id = id, outcome = "accepted", chosen = new { endpoint = outside } });
        var undeclared = await FeedbackAsync(new { prediction_id = id, outcome = "overridden", chosen = new { endpoint = "GET /v1/nothing/here" } });

        Assert.Equal((HttpStatusCode.BadRequest, "The prediction showed 3 suggestions; rank is between 1 and 3."),
            (rank.Status, (string?)rank.Body!["errors"]!["rank"]![0]));
        Assert.Equal(HttpStatusCode.BadRequest, accepted.Status);
        Assert.Contains("is overridden", (string?)accepted.Body!["errors"]!["chosen.endpoint"]![0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, undeclared.Status);
        Assert.Contains("not an operation of the spec", (string?)undeclared.Body!["errors"]!["chosen.endpoint"]![0], StringComparison.Ordinal);
        Assert.Equal(0, await CountOutcomesAsync());
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIs415()
    {
        var (status, _, contentType) = await SendAsync(new StringContent("prediction_id=p", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task TheSessionsNextPredictionRecordsWhatWasCalledAndExplicitFeedbackReplacesItWithoutDoubleCounting()
    {
        var first = await PredictAsync("s-1", "GET /v1/invoices");
        var id = (string)first["prediction_id"]!;
        var rank = Array.IndexOf(Suggested(first), Detail) is var i and >= 0 ? i + 1 : (int?)null;

        await PredictAsync("s-1", "GET /v1/invoices", "GET /v1/invoices/in_1");
        var implicitOutcome = await Store.FindOutcomeAsync(id, Cancel);

        Assert.Equal(new RecordedOutcome(id, rank is null ? OutcomeKind.Overridden : OutcomeKind.Accepted, OutcomeSource.Implicit, Detail,
            rank, _time.GetUtcNow()), implicitOutcome);

        _time.Advance(TimeSpan.FromMinutes(1));
        var (status, body, _) = await FeedbackAsync(new { prediction_id = id, outcome = "ignored" });
        await PredictAsync("s-1", "GET /v1/invoices", "GET /v1/invoices/in_1", "POST /v1/invoices/in_1/finalize");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("ignored", "explicit"), ((string?)body!["outcome"], (string?)body["source"]));
        Assert.Equal((OutcomeKind.Ignored, OutcomeSource.Explicit), ((await Store.FindOutcomeAsync(id, Cancel))!.Kind, (await Store.FindOutcomeAsync(id, Cancel))!.Source));
        // One outcome per prediction: the first's (now explicit) and the second's (implicit, from the third request).
        Assert.Equal(2, await CountOutcomesAsync());
    }

    [Fact]
    public async Task WithKeysConfiguredOnlyTheFeedbackRoleMayGiveFeedback()
    {
        using var factory = new ApiFactory(TestKeys.Settings());
        using var client = factory.CreateClient();

        async Task<HttpStatusCode> SendWith(string? key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/feedback")
            {
                Content = JsonContent.Create(new { prediction_id = "no-such-prediction", outcome = "ignored" }),
            };
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }

            using var response = await client.SendAsync(request, Cancel);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await SendWith(null));
        Assert.Equal(HttpStatusCode.Forbidden, await SendWith(TestKeys.Alice));
        Assert.Equal(HttpStatusCode.Forbidden, await SendWith(TestKeys.Root));
        Assert.Equal(HttpStatusCode.NotFound, await SendWith(TestKeys.Carol));
    }
}
