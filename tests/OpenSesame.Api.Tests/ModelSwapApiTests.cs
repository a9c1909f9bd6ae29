using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OpenSesame.Predictor.Ranking;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Api.Tests;

/// <summary>
/// The hot swap: while clients keep predicting, <c>current</c> is moved between two versions (as a promotion or a
/// rollback moves it) and the service reloads every 50 ms. No request may fail, and both versions must have answered.
/// </summary>
public sealed class ModelSwapApiTests : IDisposable
{
    private const int Clients = 4;
    private const int Swaps = 30;
    private static readonly string BillingSpec = Path.Combine(ApiFactory.RepoRoot, "samples", "specs", "billing.yaml");

    private readonly ApiFactory _factory = new(new Dictionary<string, string?>
    {
        ["Ranking:ReloadInterval"] = "00:00:00.050",
        // The clients send hundreds of requests a second; the rate limit is not what is tested.
        ["Security:RateLimit:Enabled"] = "false",
    });

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task PredictionsKeepSucceedingWhileTheCurrentVersionChangesUnderTheRunningService()
    {
        var store = RankerModelStore.Configured(new RankingOptions(), new StorageOptions { DataDirectory = _factory.DataDirectory });
        var (first, second) = (ApiTinyModel.Named("ltr-swap-a"), ApiTinyModel.Named("ltr-swap-b"));
        store.Save(first);
        store.SaveVersion(second);
        using var client = _factory.CreateClient();
        var failures = new ConcurrentBag<string>();
        var versions = new ConcurrentDictionary<string, int>();
        var answered = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                using var response = await client.PostAsJsonAsync("/predict", new
                {
                    user_id = $"u-{c}",
                    session_id = $"s-{c}-{i}",
                    events = new object[] { new { endpoint = "GET /v1/invoices" }, new { endpoint = "GET /v1/invoices/in_" + i } },
                    spec_url = BillingSpec,
                    k = 3,
                }, CancellationToken.None);
                var text = await response.Content.ReadAsStringAsync(CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{(int)response.StatusCode}: {text}");
                    continue;
                }

                versions.AddOrUpdate((string?)JsonNode.Parse(text)!["model_version"] ?? "?", 1, (_, n) => n + 1);
                Interlocked.Increment(ref answered);
            }
        }, Cancel)).ToList();

        // Wait for the first answers (the spec is parsed and embedded once), then move the pointer back and forth.
        while (Volatile.Read(ref answered) < Clients && failures.IsEmpty)
        {
            await Task.Delay(20, Cancel);
        }

        var beforeSwaps = Volatile.Read(ref answered);
        for (var swap = 0; swap < Swaps; swap++)
        {
            store.Promote(swap % 2 == 0 ? second.Version : first.Version, "test swap");
            await Task.Delay(60, Cancel);
        }

        var duringSwaps = Volatile.Read(ref answered) - beforeSwaps;
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.True(duringSwaps >= Swaps * Clients, $"only {duringSwaps} predictions answered during {Swaps} swaps");
        Assert.True(versions.ContainsKey(first.Version) && versions.ContainsKey(second.Version),
            $"answered by {string.Join(", ", versions.Select(v => $"{v.Key} x{v.Value}"))}");
        Assert.Equal([first.Version, second.Version], versions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Swaps, store.History().Count(p => p.Reason == "test swap"));
    }
}
