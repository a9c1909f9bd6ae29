using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OpenSesame.Testing;

namespace OpenSesame.Api.Tests;

/// <summary>The service with <c>Storage:Provider=Postgres</c> on a PostgreSQL server of the test's own: it answers, its
/// records land in the database (and no SQLite file is made), readiness names postgres while the server is away and is
/// healthy again when it is back; a provider it does not know, or Postgres without a connection string, refuse to start.</summary>
public sealed class PostgresStorageApiTests : IAsyncDisposable
{
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");
    private PostgresServer? _server;
    private ApiFactory? _factory;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _factory?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private async Task<(ApiFactory Factory, string ConnectionString)> StartAsync()
    {
        _server = await PostgresServer.StartAsync();
        var connectionString = await _server.CreateDatabaseAsync();
        _factory = new ApiFactory(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:Postgres:ConnectionString"] = connectionString,
        });
        return (_factory, connectionString);
    }

    private static async Task<long> CountAsync(string connectionString, string table, string predictionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE prediction_id = @id", connection);
        command.Parameters.AddWithValue("id", predictionId);
        return (long)(await command.ExecuteScalarAsync(Cancel))!;
    }

    [Fact]
    public async Task TheServiceAnswersOnTheSampleSpecAndWritesItsAuditAndLedgerRowsToPostgres()
    {
        var (factory, connectionString) = await StartAsync();
        using var client = factory.CreateClient();

        using var response = await client.PostAsJsonAsync("/predict",
            new { user_id = "u-1", session_id = "s-1", spec_url = BillingSpec, prompt = "finish billing", k = 3 }, Cancel);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Cancel);
        var predictionId = body.GetProperty("prediction_id").GetString()!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, body.GetProperty("predictions").GetArrayLength());
        Assert.Equal(1, await CountAsync(connectionString, "audit_log", predictionId));
        Assert.True(await CountAsync(connectionString, "cost_ledger", predictionId) >= 1);
        Assert.Equal(1, await CountAsync(connectionString, "served_predictions", predictionId));
        Assert.False(File.Exists(Path.Combine(factory.DataDirectory, "opensesame.db")));
    }

    [Fact]
    public async Task ReadinessNamesPostgresWhileItsServerIsDownAndIsHealthyAgainWhenItIsBack()
    {
        var (factory, _) = await StartAsync();
        using var client = factory.CreateClient();

        using var before = await client.GetAsync("/health/ready", Cancel);
        await _server!.StopAsync();
        using var down = await client.GetAsync("/health/ready", Cancel);
        var downText = await down.Content.ReadAsStringAsync(Cancel);
        await _server.StartAgainAsync();
        var (backStatus, backText) = await ReadyAgainAsync(client);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        Assert.StartsWith("Unhealthy", downText, StringComparison.Ordinal);
        Assert.Contains("postgres: postgres does not answer", downText, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (backStatus, backText));
    }

    // Connections the pool held died with the server; the first checks after it is back may still meet one.
    private static async Task<(HttpStatusCode, string)> ReadyAgainAsync(HttpClient client)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await client.GetAsync("/health/ready", Cancel);
            var text = await response.Content.ReadAsStringAsync(Cancel);
            if (response.StatusCode == HttpStatusCode.OK || attempt == 20)
            {
                return (response.StatusCode, text);
            }

            await Task.Delay(250, Cancel);
        }
    }

    [Fact]
    public void AStoreProviderItDoesNotKnowRefusesToStartNamingTheSetting()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Storage:Provider"] = "MySql" });

        var reason = factory.StartExpectingRefusal();

        Assert.Contains("Storage:Provider must be Sqlite or Postgres", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresWithoutAConnectionStringRefusesToStartNamingTheSetting()
    {
        using var factory = new ApiFactory(new Dictionary<string, string?> { ["Storage:Provider"] = "postgres" });

        var reason = factory.StartExpectingRefusal();

        Assert.Contains("Storage:Postgres:ConnectionString is required when Storage:Provider is Postgres", reason, StringComparison.Ordinal);
    }
}
