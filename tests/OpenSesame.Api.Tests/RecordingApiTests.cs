using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenSesame.Predictor.Guardrails.Audit;

namespace OpenSesame.Api.Tests;

/// <summary>A store that is locked or full while predictions run: answers are not held up, the trouble is reported on
/// <c>/health/ready</c> and in the error log, and what could be written is, once the store is free again.</summary>
public sealed class RecordingApiTests
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task PredictAsync(HttpClient client, int i)
    {
        using var response = await client.PostAsJsonAsync("/predict", new
        {
            spec_url = BillingSpec,
            events = new[] { new { endpoint = "GET /v1/invoices" }, new { endpoint = $"GET /v1/invoices/in_{i}" } },
            user_id = "u-1",
            session_id = $"s-{i}",
            k = 3,
        }, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<string> ReadinessAsync(HttpClient client) => await client.GetStringAsync("/health/ready", Cancel);

    private static async Task<long> CountAsync(string database, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={database}");
        await connection.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table}";
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    [Fact]
    public async Task PredictionsAreAnsweredWhileAnotherWriterHoldsTheDatabaseAndTheirRecordsFollowWhenItLetsGo()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Recording:WaitTimeout"] = "00:00:00.100" });
        using var client = factory.CreateClient();
        await PredictAsync(client, 0);
        Assert.Equal("Healthy", await ReadinessAsync(client));
        var database = Path.Combine(factory.DataDirectory, "opensesame.db");

        var locker = new SqliteConnection($"Data Source={database}");
        await locker.OpenAsync(Cancel);
        using (var begin = locker.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync(Cancel);
        }

        // SQLite makes a blocked writer wait 30 s: predictions that waited for their records could not finish in time.
        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 10; i++)
        {
            await PredictAsync(client, i);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"10 predictions took {clock.Elapsed}");
        Assert.StartsWith("Degraded\nrecording: ", await ReadinessAsync(client), StringComparison.Ordinal);

        await locker.DisposeAsync();
        SqliteConnection.ClearPool(locker);
        for (var wait = 0; wait < 300 && await ReadinessAsync(client) != "Healthy"; wait++)
        {
            await Task.Delay(100, Cancel);
        }

        Assert.Equal("Healthy", await ReadinessAsync(client));

        // Healthy says the writer keeps up again, not that its queue is empty: the last records may still be on their way.
        string[] tables = ["audit_log", "cost_ledger", "served_predictions"];
        for (var wait = 0; wait < 300 && (await Task.WhenAll(tables.Select(t => CountAsync(database, t)))).Min() < 11; wait++)
        {
            await Task.Delay(100, Cancel);
        }

        Assert.Equal(11, await CountAsync(database, "audit_log"));
        Assert.Equal(11, await CountAsync(database, "cost_ledger"));
        Assert.Equal(11, await CountAsync(database, "served_predictions"));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    private sealed class FullDisk : IAuditLog
    {
        public Task AppendAsync(AuditRecord record, CancellationToken cancellationToken) =>
            throw new SqliteException("database or disk is full", 13);

        public Task<IReadOnlyList<AuditRecord>> QueryAsync(string? userId, DateTimeOffset? since, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AuditRecord>>([]);

        public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => Task.FromResult(0);
    }

    [Fact]
    public async Task ARecordTheStoreCannotTakeIsReportedOnReadinessAndInTheErrorLogNotLostSilently()
    {
        // Not tried again: a full disk here stays full, and the loss is what this test reads.
        using var root = new ApiFactory(new Dictionary<string, string?> { ["Recording:RetryFor"] = "00:00:00" });
        using var factory = root.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IAuditLog, FullDisk>()));
        using var client = factory.CreateClient();

        await PredictAsync(client, 1);

        Assert.StartsWith("Degraded\nrecording: ", await ReadinessAsync(client), StringComparison.Ordinal);
        var logged = Assert.Single(root.Logs.Entries, e => e.Level == LogLevel.Error);
        Assert.Contains("The audit record of prediction", logged.Message, StringComparison.Ordinal);
        Assert.Contains("was not written: failed", logged.Message, StringComparison.Ordinal);
        Assert.Contains("disk is full", logged.Exception!.Message, StringComparison.Ordinal);
    }
}
