using Microsoft.Extensions.Time.Testing;
using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class SpecProviderTests
{
    private static readonly Dictionary<string, string?> AllowLoopback = new() { ["Specs:AllowPrivateNetworks"] = "true" };
    private static readonly string Billing = File.ReadAllText(TestSpecs.BillingPath);
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DownloadsASpecOnceAndServesItFromCacheWithinTheTtl()
    {
        using var server = new LoopbackHttpServer(() => Billing);
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var predictor = new TestPredictor(AllowLoopback, time);
        var source = new SpecSource(SpecSourceKind.Url, server.Url("/billing.yaml"));

        var first = await predictor.Specs.GetAsync(source, Cancel);
        time.Advance(TimeSpan.FromMinutes(59));
        var second = await predictor.Specs.GetAsync(source, Cancel);

        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Same(first.Catalog, second.Catalog);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task RefreshesAfterTheTtlAndServesTheStaleCopyWhenTheRefreshFails()
    {
        var failing = false;
        using var server = new LoopbackHttpServer(_ => Task.FromResult(failing ? (503, "down") : (200, Billing)));
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var predictor = new TestPredictor(AllowLoopback, time);
        var source = new SpecSource(SpecSourceKind.Url, server.Url("/billing.yaml"));
        await predictor.Specs.GetAsync(source, Cancel);

        time.Advance(TimeSpan.FromMinutes(61));
        var refreshed = await predictor.Specs.GetAsync(source, Cancel);
        failing = true;
        time.Advance(TimeSpan.FromMinutes(61));
        var stale = await predictor.Specs.GetAsync(source, Cancel);

        Assert.Equal(3, server.Requests);
        Assert.False(refreshed.FromCache);
        Assert.Equal(TestSpecs.Billing.Operations.Count, stale.Catalog.Operations.Count);
    }

    [Fact]
    public async Task SurvivesARestartThroughTheSqliteCache()
    {
        using var server = new LoopbackHttpServer(() => Billing);
        var dataDirectory = Path.Combine(Path.GetTempPath(), "opensesame-tests", Guid.NewGuid().ToString("n"));
        var settings = new Dictionary<string, string?>(AllowLoopback) { ["Storage:DataDirectory"] = dataDirectory };
        var source = new SpecSource(SpecSourceKind.Url, server.Url("/billing.yaml"));
        try
        {
            using (var before = new TestPredictor(settings))
            {
                await before.Specs.GetAsync(source, Cancel);
            }

            using var after = new TestPredictor(settings);
            var result = await after.Specs.GetAsync(source, Cancel);

            Assert.Equal(1, server.Requests);
            Assert.NotEmpty(result.Catalog.Operations);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task ConcurrentRequestsForOneUrlShareOneDownload()
    {
        var release = new TaskCompletionSource();
        using var server = new LoopbackHttpServer(async _ =>
        {
            await release.Task;
            return (200, Billing);
        });
        using var predictor = new TestPredictor(AllowLoopback);
        var source = new SpecSource(SpecSourceKind.Url, server.Url("/billing.yaml"));

        var requests = Enumerable.Range(0, 8).Select(_ => predictor.Specs.GetAsync(source, Cancel)).ToList();
        await Task.Delay(200, Cancel);
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, server.Requests);
        Assert.All(results, r => Assert.Same(results[0].Catalog, r.Catalog));
    }

    [Fact]
    public async Task RefusesADocumentLargerThanTheCap()
    {
        using var server = new LoopbackHttpServer(() => Billing + new string('#', 4096));
        using var predictor = new TestPredictor(new Dictionary<string, string?>(AllowLoopback) { ["Specs:MaxDocumentBytes"] = "4096" });

        var error = await Assert.ThrowsAsync<SpecException>(() =>
            predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.Url, server.Url("/big.yaml")), Cancel));

        Assert.Contains("larger than the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GivesUpOnASlowServerAfterTheTimeout()
    {
        using var server = new LoopbackHttpServer(async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(10));
            return (200, Billing);
        });
        using var predictor = new TestPredictor(new Dictionary<string, string?>(AllowLoopback) { ["Specs:FetchTimeout"] = "00:00:00.300" });

        var error = await Assert.ThrowsAsync<SpecException>(() =>
            predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.Url, server.Url("/slow.yaml")), Cancel));

        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExplainsThatAnHtmlPageIsNotASpecAndDoesNotCacheIt()
    {
        using var server = new LoopbackHttpServer(() => "<html><body>Sign in</body></html>");
        using var predictor = new TestPredictor(AllowLoopback);
        var source = new SpecSource(SpecSourceKind.Url, server.Url("/login"));

        await Assert.ThrowsAsync<SpecException>(() => predictor.Specs.GetAsync(source, Cancel));
        var again = await Assert.ThrowsAsync<SpecException>(() => predictor.Specs.GetAsync(source, Cancel));

        Assert.Contains("not an OpenAPI", again.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task NeverConnectsToALoopbackSpecUrlByDefault()
    {
        using var server = new LoopbackHttpServer(() => Billing);
        using var predictor = new TestPredictor();

        var error = await Assert.ThrowsAsync<SpecException>(() =>
            predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.Url, server.Url("/billing.yaml")), Cancel));

        Assert.Contains("blocked", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public async Task ReadsFilesOnlyInsideTheSpecFolders()
    {
        using var predictor = new TestPredictor(new Dictionary<string, string?> { ["Specs:Folders:0"] = Path.Combine(TestSpecs.Root, "samples") });

        var inside = await predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.File, TestSpecs.BillingPath), Cancel);
        var outside = await Assert.ThrowsAsync<SpecException>(() =>
            predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.File, Path.Combine(TestSpecs.Root, "samples", "..", "README.md")), Cancel));
        var again = await predictor.Specs.GetAsync(new SpecSource(SpecSourceKind.File, TestSpecs.BillingPath), Cancel);

        Assert.NotEmpty(inside.Catalog.Operations);
        Assert.Contains("outside the folders this service reads specs from", outside.Message, StringComparison.Ordinal);
        Assert.True(again.FromCache);
    }
}
