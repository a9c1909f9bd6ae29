using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IStoreMigrations"/> must do: make an empty store's schema once, however many
/// processes ask at once, and report the steps it applied.</summary>
public abstract class MigrationsContract : StoreContract
{
    [Fact]
    public async Task AnEmptyStoreGetsEveryStepAndAnotherProcessFindsNothingLeftToApply()
    {
        var first = await Get<IStoreMigrations>().MigrateAsync(Cancel);
        var again = await Process().GetRequiredService<IStoreMigrations>().MigrateAsync(Cancel);

        Assert.NotEmpty(first.Applied);
        Assert.Equal(first.Applied[^1].Version, first.Version);
        Assert.Empty(again.Applied);
        Assert.Equal(first.Version, again.Version);
    }

    [Fact]
    public async Task ProcessesMigratingAtOnceApplyEachStepExactlyOnce()
    {
        var processes = Enumerable.Range(0, 6).Select(_ => Process().GetRequiredService<IStoreMigrations>()).ToList();

        var reports = await Task.WhenAll(processes.Select(p => Task.Run(() => p.MigrateAsync(Cancel), Cancel)));

        var applied = reports.SelectMany(r => r.Applied).ToList();
        Assert.Equal(applied.Select(s => s.Version).Distinct(), applied.Select(s => s.Version));
        Assert.NotEmpty(applied);
        Assert.All(reports, r => Assert.Equal(reports[0].Version, r.Version));
    }

    [Fact]
    public async Task TheReportNamesTheStoreWithoutItsPassword()
    {
        var report = await Get<IStoreMigrations>().MigrateAsync(Cancel);

        Assert.Equal(Get<IStoreMigrations>().Store, report.Store);
        Assert.DoesNotContain("password", report.Store, StringComparison.OrdinalIgnoreCase);
    }
}
