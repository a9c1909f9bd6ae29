using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Api.Tests;

public sealed class LearnedModelApiTests : IDisposable
{
    private readonly ApiFactory _factory = new();

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task PredictAnswersWithTheModelSavedBeforeTheServiceStarted()
    {
        var model = ApiTinyModel.Model;
        RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = _factory.DataDirectory })
            .Save(model);
        using var client = _factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/predict", new
        {
            events = new object[]
            {
                new { ts = "2025-07-08T14:12:03Z", endpoint = "GET /v1/invoices", @params = new { } },
                new { ts = "2025-07-08T14:13:11Z", endpoint = "PUT /v1/invoices/in_123/status", @params = new { status = "DRAFT" } },
            },
            prompt = "Let's finish billing for Q2",
            spec_url = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml"),
            k = 5,
        }, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        Assert.Equal(model.Version, (string?)body["model_version"]);
        var predictions = body["predictions"]!.AsArray();
        Assert.Equal(5, predictions.Count);
        var scores = predictions.Select(p => (double)p!["score"]!).ToList();
        Assert.All(scores, s => Assert.InRange(s, 0, 1));
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.True(scores.Sum() <= 1);
        Assert.All(predictions, p => Assert.False(string.IsNullOrWhiteSpace((string?)p!["why"])));
    }

    [Fact]
    public async Task AFreshServiceAnswersItsFirstPredictionWithTheModelThatShipsWithIt()
    {
        var shipped = new RankingOptions().DefaultModelDirectory;
        using var fresh = new ApiFactory(new Dictionary<string, string?> { ["Ranking:DefaultModelDirectory"] = shipped });
        using var client = fresh.CreateClient();

        using var response = await client.PostAsJsonAsync("/predict", new
        {
            events = new object[] { new { endpoint = "GET /v1/invoices" } },
            spec_url = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml"),
        }, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync(Cancel))!;
        Assert.Equal(new RankerModelStore(shipped).CurrentVersion(), (string?)body["model_version"]);
        Assert.StartsWith("ltr-", (string?)body["model_version"], StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fresh.DataDirectory, "models")));
        Assert.False(Directory.Exists(Path.Combine(fresh.DataDirectory, "training")));
    }

    [Fact]
    public async Task AdminModelReportsTheServingModelAndWhatItWasTrainedOn()
    {
        var model = ApiTinyModel.Model;
        RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = _factory.DataDirectory })
            .Save(model);
        using var client = _factory.CreateClient();

        var body = JsonNode.Parse(await client.GetStringAsync("/admin/model", Cancel))!;

        Assert.Equal(model.Version, (string?)body["serving"]);
        Assert.Equal("learned", (string?)body["kind"]);
        Assert.Equal(model.Version, (string?)body["current"]);
        Assert.Equal(model.Info.DataSha256, (string?)body["model"]!["data_sha256"]);
        Assert.Equal(model.Info.Features.Count, body["model"]!["features"]!.AsArray().Count);
        Assert.NotNull(body["model"]!["calibration"]!["top1"]);
    }
}
