using System.Data.Common;
using OpenSesame.Predictor.Guardrails.Audit;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IAuditLog"/> must do.</summary>
public abstract class AuditLogContract : StoreContract
{
    private IAuditLog Log => Get<IAuditLog>();

    private static AuditRecord Record(DateTimeOffset at, string id, string? user, string? prompt = null) =>
        new(at, id, user, "s", "hash", prompt, ["GET /x", "POST /y"], "heuristic-v1", 1.5, 0.000123456789m, ["pii-redacted"]);

    [Fact]
    public async Task ARecordReadsBackAsItWasWrittenCostToTheLastDigit()
    {
        var record = Record(Start, "p-1", "alice", "send [EMAIL] the invoice") with { SessionId = null };

        await Log.AppendAsync(record, Cancel);

        var read = Assert.Single(await Log.QueryAsync(null, null, 10, Cancel));
        Assert.Equal(record with { Endpoints = [], Flags = [] }, read with { Endpoints = [], Flags = [] });
        Assert.Equal(record.Endpoints, read.Endpoints);
        Assert.Equal(record.Flags, read.Flags);
    }

    [Fact]
    public async Task QueriesFilterByUserAndTimeNewestFirst()
    {
        foreach (var (user, minutes) in new[] { ("alice", 0), ("bob", 1), ("alice", 2), (null, 3) })
        {
            await Log.AppendAsync(Record(Start.AddMinutes(minutes), $"p-{minutes}", user), Cancel);
        }

        var alice = await Log.QueryAsync("alice", null, 10, Cancel);
        var recent = await Log.QueryAsync(null, Start.AddMinutes(1), 10, Cancel);
        var newest = await Log.QueryAsync(null, null, 1, Cancel);

        Assert.Equal(["p-2", "p-0"], alice.Select(r => r.PredictionId));
        Assert.Equal(["p-3", "p-2", "p-1"], recent.Select(r => r.PredictionId));
        Assert.Equal(["p-3"], newest.Select(r => r.PredictionId));
    }

    [Fact]
    public async Task RecordsOfTheSameMillisecondComeNewestWrittenFirst()
    {
        for (var i = 0; i < 3; i++)
        {
            await Log.AppendAsync(Record(Start, $"p-{i}", "alice"), Cancel);
        }

        Assert.Equal(["p-2", "p-1", "p-0"], (await Log.QueryAsync(null, null, 10, Cancel)).Select(r => r.PredictionId));
    }

    [Fact]
    public async Task RecordsCannotBeChanged()
    {
        await Log.AppendAsync(Record(Start, "p-1", "alice"), Cancel);

        var error = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("UPDATE audit_log SET user_id = 'someone-else'"));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        Assert.Equal("alice", Assert.Single(await Log.QueryAsync(null, null, 10, Cancel)).UserId);
    }

    [Fact]
    public async Task DeletingOlderThanACutoffKeepsTheRecordsFromItOn()
    {
        await Log.AppendAsync(Record(Start, "p-old", "alice"), Cancel);
        await Log.AppendAsync(Record(Start.AddDays(1), "p-new", "alice"), Cancel);

        var deleted = await Log.DeleteOlderThanAsync(Start.AddDays(1), Cancel);

        Assert.Equal(1, deleted);
        Assert.Equal(["p-new"], (await Log.QueryAsync(null, null, 10, Cancel)).Select(r => r.PredictionId));
    }
}
