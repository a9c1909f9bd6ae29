using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Api.Tests.Security;
using OpenSesame.Predictor.Learning;
using OpenSesame.Predictor.Storage;
using OpenSesame.Storage.Sqlite;

namespace OpenSesame.Api.Tests;

/// <summary><c>/admin/retrain</c>: the service records requests and never trains; a worker on the same storage (here,
/// a second connection to the same SQLite file, as another process has) claims them.</summary>
public sealed class RetrainApiTests : IDisposable
{
    private readonly ApiFactory _factory = new(TestKeys.Settings());

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _factory.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? key)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var response = await client.SendAsync(request, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        return (response.StatusCode, text.StartsWith('{') ? JsonNode.Parse(text) : null, response);
    }

    /// <summary>The queue as a worker process sees it: its own connection to the service's database file.</summary>
    private SqliteRetrainRequests Worker() =>
        new(new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _factory.DataDirectory })));

    [Fact]
    public async Task AnAdminsRequestIsAcceptedWith202AndItsIdAndItWaitsForAWorkerBecauseTheServiceNeverTrains()
    {
        var (status, body, response) = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Root);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = (string?)body!["request_id"];
        Assert.StartsWith("rt-", id, StringComparison.Ordinal);
        Assert.Equal(("pending", "request", "root"), ((string?)body["state"], (string?)body["trigger"], (string?)body["requested_by"]));
        Assert.Equal($"/admin/retrain/{id}", response.Headers.Location?.OriginalString);

        await Task.Delay(TimeSpan.FromMilliseconds(200), Cancel);
        var (getStatus, got, _) = await SendAsync(HttpMethod.Get, $"/admin/retrain/{id}", TestKeys.Root);
        Assert.Equal(HttpStatusCode.OK, getStatus);
        Assert.Equal("pending", (string?)got!["state"]);
        Assert.False(Directory.Exists(Path.Combine(_factory.DataDirectory, "models")));
    }

    [Fact]
    public async Task OnlyTheAdminRoleMayAskForARetraining()
    {
        var anonymous = await SendAsync(HttpMethod.Post, "/admin/retrain", key: null);
        var predictor = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Alice);
        var feedback = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Carol);
        var status = await SendAsync(HttpMethod.Get, "/admin/retrain", TestKeys.Alice);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.Equal(HttpStatusCode.Forbidden, predictor.Status);
        Assert.Contains("(admin)", (string?)predictor.Body!["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, feedback.Status);
        Assert.Equal(HttpStatusCode.Forbidden, status.Status);
        Assert.Empty(await Worker().RecentAsync(10, Cancel));
    }

    [Fact]
    public async Task AskingAgainWhileARequestWaitsAnswersWithTheWaitingOneAndAfterItsClaimWithANewOne()
    {
        var first = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Root);
        var again = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Root);
        var now = DateTimeOffset.UtcNow;
        await Worker().ClaimNextAsync("worker:1", now, now.AddHours(-2), Cancel);
        var afterClaim = await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Root);

        Assert.Equal((string?)first.Body!["request_id"], (string?)again.Body!["request_id"]);
        Assert.NotEqual((string?)first.Body["request_id"], (string?)afterClaim.Body!["request_id"]);
        var listed = (await SendAsync(HttpMethod.Get, "/admin/retrain", TestKeys.Root)).Body!["requests"]!.AsArray();
        Assert.Equal(["pending", "running"], listed.Select(r => (string?)r!["state"]));
    }

    [Fact]
    public async Task WhatAWorkerOnTheSameStorageRecordedIsWhatTheStatusRouteShows()
    {
        var id = (string?)(await SendAsync(HttpMethod.Post, "/admin/retrain", TestKeys.Root)).Body!["request_id"];
        var worker = Worker();
        var now = DateTimeOffset.UtcNow;
        await worker.ClaimNextAsync("worker:7", now, now.AddHours(-2), Cancel);
        await worker.FinishAsync(id!, "worker:7", RetrainState.Refused, "ltr-candidate", "held-out outcomes: top-3 0.400 against 0.450", now.AddMinutes(10), Cancel);

        var (status, body, _) = await SendAsync(HttpMethod.Get, $"/admin/retrain/{id}", TestKeys.Root);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(("refused", "worker:7", "ltr-candidate"), ((string?)body!["state"], (string?)body["worker"], (string?)body["candidate"]));
        Assert.StartsWith("held-out outcomes", (string?)body["message"], StringComparison.Ordinal);
        Assert.NotNull(body["finished_at"]);
    }

    [Fact]
    public async Task AnUnknownRequestIdAnswers404WithProblemDetails()
    {
        var (status, body, response) = await SendAsync(HttpMethod.Get, "/admin/retrain/rt-never", TestKeys.Root);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("rt-never", (string?)body!["detail"], StringComparison.Ordinal);
    }
}
