using System.Data.Common;
using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="ICostLedger"/> must do: exact sums, groups, and entries that never change.</summary>
public abstract class CostLedgerContract : StoreContract
{
    private ICostLedger Ledger => Get<ICostLedger>();

    private static CostEntry Entry(DateTimeOffset at, string id, string? user, string model, decimal cost, bool cacheHit = false) =>
        new(at, id, user, "s-" + user, model, 1000, 200, cost, cacheHit);

    private async Task RecordSampleAsync()
    {
        await Ledger.RecordAsync(Entry(Start, "p-1", "alice", "claude-haiku", 0.000000251m), Cancel);
        await Ledger.RecordAsync(Entry(Start.AddMinutes(1), "p-1", "alice", "gpt-mini", 0.1m), Cancel);
        await Ledger.RecordAsync(Entry(Start.AddHours(2), "p-2", "bob", "claude-haiku", 0.3m, cacheHit: true), Cancel);
        await Ledger.RecordAsync(Entry(Start.AddDays(1), "p-3", null, "local", 0m), Cancel);
    }

    [Fact]
    public async Task SpendSumsExactlyToTheNanoDollarWithinTheRange()
    {
        await RecordSampleAsync();

        Assert.Equal(0.400000251m, await Ledger.SpendAsync(Start, Start.AddDays(1), Cancel));
        Assert.Equal(0.100000251m, await Ledger.SpendAsync(Start, Start.AddHours(2), Cancel));
        Assert.Equal(0m, await Ledger.SpendAsync(Start.AddDays(2), Start.AddDays(3), Cancel));
    }

    [Fact]
    public async Task SpendGroupsByUserModelAndDayMostExpensiveFirst()
    {
        await RecordSampleAsync();
        var all = (Since: DateTimeOffset.MinValue, Until: DateTimeOffset.MaxValue);

        var users = await Ledger.SpendByAsync(CostGrouping.User, all.Since, all.Until, 10, Cancel);
        var models = await Ledger.SpendByAsync(CostGrouping.Model, all.Since, all.Until, 2, Cancel);
        var days = await Ledger.SpendByAsync(CostGrouping.Day, all.Since, all.Until, 10, Cancel);

        Assert.Equal(
            [new SpendGroup("bob", 0.3m, 1, 1, 1000, 200, 1), new SpendGroup("alice", 0.100000251m, 1, 2, 2000, 400, 0),
             new SpendGroup(null, 0m, 1, 1, 1000, 200, 0)],
            users);
        Assert.Equal(["claude-haiku", "gpt-mini"], models.Select(g => g.Key));
        Assert.Equal([("2026-03-01", 0.400000251m, 2), ("2026-03-02", 0m, 1)], days.Select(d => (d.Key, d.CostUsd, d.Predictions)));
    }

    [Fact]
    public async Task PredictionCostsAreTheSumOfEachPredictionsEntries()
    {
        await RecordSampleAsync();

        var costs = await Ledger.PredictionCostsAsync(Start, Start.AddDays(2), Cancel);

        Assert.Equal([0m, 0.100000251m, 0.3m], costs.Order());
    }

    [Fact]
    public async Task LedgerEntriesCannotBeChanged()
    {
        await RecordSampleAsync();

        var error = await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync("UPDATE cost_ledger SET cost_nano_usd = 0"));

        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
        Assert.Equal(0.400000251m, await Ledger.SpendAsync(Start, Start.AddDays(1), Cancel));
    }

    [Fact]
    public async Task TheLedgerOutlivesTheProcessThatWroteIt()
    {
        await RecordSampleAsync();

        var later = Process().GetRequiredService<ICostLedger>();

        Assert.Equal(0.400000251m, await later.SpendAsync(Start, Start.AddDays(1), Cancel));
    }
}
