using OpenSesame.Predictor.Usage;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IUsageStore"/> must do: faded counts per spec, layer and context.</summary>
public abstract class UsageStoreContract : StoreContract
{
    private const string List = "GET /v1/invoices";
    private const string Detail = "GET /v1/invoices/{invoice}";
    private const string Finalize = "POST /v1/invoices/{invoice}/finalize";
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    private IUsageStore Store => Get<IUsageStore>();

    [Fact]
    public async Task StoredWeightsFadeByTheHalfLifeBeforeEachIncrement()
    {
        await Store.AddAsync("spec", [new UsageIncrement("", List, Detail, Start, 4)], Month, Cancel);
        await Store.AddAsync("spec", [new UsageIncrement("", List, Detail, Start.AddDays(60))], Month, Cancel);
        // A step that arrives late counts as faded to the newest update.
        await Store.AddAsync("spec", [new UsageIncrement("", List, Detail, Start.AddDays(30), 2)], Month, Cancel);

        var row = Assert.Single(await Store.LoadAsync("spec", "", Cancel));
        Assert.Equal(4 * 0.25 + 1 + (2 * 0.5), row.Weight, 9);
        Assert.Equal(Start.AddDays(60), row.UpdatedAt);
    }

    [Fact]
    public async Task AWeightUnchangedForThousandsOfHalfLivesFadesToNothingWithoutAnError()
    {
        await Store.AddAsync("spec", [new UsageIncrement("", List, Detail, Start, 4)], TimeSpan.FromSeconds(1), Cancel);
        await Store.AddAsync("spec", [new UsageIncrement("", List, Detail, Start.AddDays(365))], TimeSpan.FromSeconds(1), Cancel);

        Assert.Equal(1, Assert.Single(await Store.LoadAsync("spec", "", Cancel)).Weight, 9);
    }

    [Fact]
    public async Task WithoutAHalfLifeCountsAddUpAndLayersAndSpecsStayApart()
    {
        await Store.AddAsync("spec", [new UsageIncrement("a", "", Detail, Start), new UsageIncrement("a", List, Detail, Start)], null, Cancel);
        await Store.AddAsync("spec", [new UsageIncrement("a", "", Detail, Start.AddDays(400))], null, Cancel);
        await Store.AddAsync("spec", [new UsageIncrement("b", "", Finalize, Start)], null, Cancel);
        await Store.AddAsync("other", [new UsageIncrement("a", "", Finalize, Start)], null, Cancel);

        var a = await Store.LoadAsync("spec", "a", Cancel);

        // Without a half-life weights fade over 1e15 seconds: by a few parts in 1e8 in 400 days.
        Assert.Equal([("", Detail, 2.0), (List, Detail, 1.0)], a.Select(r => (r.Context, r.Next, Math.Round(r.Weight, 6))).Order());
        Assert.Equal([(Finalize, 1.0)], (await Store.LoadAsync("spec", "b", Cancel)).Select(r => (r.Next, r.Weight)));
    }

    [Fact]
    public async Task ConcurrentStepsOnOneRowAreEachCounted()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            Store.AddAsync("spec", [new UsageIncrement("a", "", Detail, Start), new UsageIncrement("a", List, Detail, Start)], null, Cancel), Cancel)));

        Assert.Equal([20.0, 20.0], (await Store.LoadAsync("spec", "a", Cancel)).Select(r => r.Weight));
    }

    [Fact]
    public async Task CallersLayersAreListedAndRankedAndUsersLayersLeftOut()
    {
        var user = UsageScopes.UserPrefix + "digest";
        await Store.AddAsync("spec", [new UsageIncrement("caller-a", "", Detail, Start, 3), new UsageIncrement("caller-a", List, Detail, Start, 3)], null, Cancel);
        await Store.AddAsync("spec", [new UsageIncrement("caller-b", "", Finalize, Start), new UsageIncrement("caller-b", Detail, Finalize, Start)], null, Cancel);
        await Store.AddAsync("spec", [new UsageIncrement(user, "", Finalize, Start, 100)], null, Cancel);

        var callers = await Store.LoadCallersAsync("spec", Cancel).ToListAsync(Cancel);
        var contributors = await Store.ContributorsAsync("spec", 10, Cancel);
        var specs = await Store.ListAsync(Cancel);

        Assert.Equal(["caller-a", "caller-b"], callers.Select(c => c.Scope).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal([new UsageContributor("caller-a", 3, 0.75), new UsageContributor("caller-b", 1, 0.25)], contributors);
        Assert.Equal([new UsageSpec("spec", 4, 2)], specs);
    }

    [Fact]
    public async Task ForgettingASpecDeletesEveryLayerOfItAndSaysWhetherThereWasAny()
    {
        await Store.AddAsync("spec", [new UsageIncrement("a", "", Detail, Start), new UsageIncrement(UsageScopes.UserPrefix + "u", "", Detail, Start)], null, Cancel);
        await Store.AddAsync("other", [new UsageIncrement("a", "", Detail, Start)], null, Cancel);

        Assert.True(await Store.ForgetAsync("spec", Cancel));
        Assert.False(await Store.ForgetAsync("spec", Cancel));
        Assert.Empty(await Store.LoadAsync("spec", "a", Cancel));
        Assert.Single(await Store.LoadAsync("other", "a", Cancel));
    }
}
