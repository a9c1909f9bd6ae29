using Microsoft.Extensions.DependencyInjection;
using OpenSesame.Predictor.Learning;

namespace OpenSesame.Testing.StorageContracts;

/// <summary>What every <see cref="IRetrainRequests"/> must do: one queue of retraining runs shared by "processes" that
/// each open the store on their own.</summary>
public abstract class RetrainRequestsContract : StoreContract
{
    /// <summary>The queue as one process sees it: its own services (and connections) on the shared store.</summary>
    private IRetrainRequests Queue() => Process().GetRequiredService<IRetrainRequests>();

    [Fact]
    public async Task ARequestWaitsUntilAWorkerClaimsItAndFinishesIt()
    {
        var queue = Queue();

        var requested = await queue.RequestAsync(RetrainTrigger.Request, "ops", Start, Cancel);
        var claimed = await queue.ClaimNextAsync("host:1", Start.AddSeconds(5), Start.AddHours(-2), Cancel);
        var finished = await queue.FinishAsync(requested.Id, "host:1", RetrainState.Refused, "ltr-x", "worse", Start.AddMinutes(10), Cancel);

        Assert.StartsWith("rt-", requested.Id, StringComparison.Ordinal);
        Assert.Equal((RetrainState.Pending, "ops", Start), (requested.State, requested.RequestedBy, requested.RequestedAt));
        Assert.Equal((requested.Id, RetrainState.Running, "host:1", Start.AddSeconds(5)), (claimed?.Id, claimed?.State, claimed?.Worker, claimed?.StartedAt));
        Assert.True(finished);
        Assert.Equal(
            new RetrainRequest(requested.Id, RetrainTrigger.Request, "ops", Start, RetrainState.Refused, "host:1", Start.AddSeconds(5),
                Start.AddMinutes(10), "ltr-x", "worse"),
            await queue.FindAsync(requested.Id, Cancel));
        Assert.Null(await queue.ClaimNextAsync("host:1", Start.AddMinutes(11), Start.AddHours(-2), Cancel));
    }

    [Fact]
    public async Task AskingAgainWhileARequestWaitsReturnsTheWaitingOne()
    {
        var queue = Queue();

        var first = await queue.RequestAsync(RetrainTrigger.Request, "ops", Start, Cancel);
        var second = await queue.RequestAsync(RetrainTrigger.Request, "someone-else", Start.AddMinutes(1), Cancel);
        await queue.ClaimNextAsync("host:1", Start.AddMinutes(2), Start.AddHours(-2), Cancel);
        var third = await queue.RequestAsync(RetrainTrigger.Request, "ops", Start.AddMinutes(3), Cancel);

        Assert.Equal(first, second);
        Assert.NotEqual(first.Id, third.Id);
        Assert.Equal([third.Id, first.Id], (await queue.RecentAsync(10, Cancel)).Select(r => r.Id));
    }

    [Fact]
    public async Task ManyWorkersOnOneFileClaimingAtOnceRunEachRequestExactlyOnce()
    {
        var requests = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // Each claimed before the next is asked for, or asking would return the waiting one.
            var id = (await Queue().RequestAsync(RetrainTrigger.Request, "ops", Start.AddSeconds(i), Cancel)).Id;
            requests.Add(id);
            await Queue().ClaimNextAsync("setup", Start, Start.AddHours(-2), Cancel);
        }

        // Give the three back to the queue by letting their claims go stale, then let eight processes race for them.
        var workers = Enumerable.Range(0, 8).Select(i => (Name: $"host:{i}", Queue: Queue())).ToList();
        var claims = await Task.WhenAll(workers.SelectMany(w => Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => w.Queue.ClaimNextAsync(w.Name, Start.AddHours(3), Start.AddHours(1), Cancel), Cancel))));

        var claimed = claims.OfType<RetrainRequest>().ToList();
        Assert.Equal(requests.Order(StringComparer.Ordinal), claimed.Select(c => c.Id).Order(StringComparer.Ordinal));
        foreach (var claim in claimed)
        {
            Assert.Equal(claim.Worker, (await Queue().FindAsync(claim.Id, Cancel))?.Worker);
        }
    }

    [Fact]
    public async Task OnlyTheWorkerHoldingTheClaimRecordsHowTheRunEnded()
    {
        var queue = Queue();
        var request = await queue.RequestAsync(RetrainTrigger.Request, "ops", Start, Cancel);
        await queue.ClaimNextAsync("host:dead", Start, Start.AddHours(-2), Cancel);

        var tooEarly = await queue.ClaimNextAsync("host:2", Start.AddMinutes(30), Start.AddMinutes(-90), Cancel);
        var takenOver = await queue.ClaimNextAsync("host:2", Start.AddHours(3), Start.AddHours(1), Cancel);
        var lateFinish = await queue.FinishAsync(request.Id, "host:dead", RetrainState.Promoted, "ltr-old", "late", Start.AddHours(4), Cancel);

        Assert.Null(tooEarly);
        Assert.Equal(("host:2", RetrainState.Running), (takenOver?.Worker, takenOver?.State));
        Assert.False(lateFinish);
        Assert.Equal(RetrainState.Running, (await queue.FindAsync(request.Id, Cancel))?.State);
    }

    [Fact]
    public async Task ATriggerStartsARunOnlyWhenNothingIsWaitingOrRunningAndTwoWorkersSeeingItStartOne()
    {
        var one = Queue();
        var two = Queue();

        var started = await Task.WhenAll(
            Task.Run(() => one.ClaimNewAsync(RetrainTrigger.Schedule, "worker", "host:1", Start, Start.AddHours(-2), onlyIfIdle: true, Cancel), Cancel),
            Task.Run(() => two.ClaimNewAsync(RetrainTrigger.Schedule, "worker", "host:2", Start, Start.AddHours(-2), onlyIfIdle: true, Cancel), Cancel));
        var run = started.OfType<RetrainRequest>().Single();
        var whileRunning = await one.ClaimNewAsync(RetrainTrigger.Outcomes, "worker", "host:1", Start.AddMinutes(1), Start.AddHours(-2), onlyIfIdle: true, Cancel);
        var byCommand = await one.ClaimNewAsync(RetrainTrigger.Command, "cli", "host:1", Start.AddMinutes(1), Start.AddHours(-2), onlyIfIdle: false, Cancel);

        Assert.Equal((RetrainTrigger.Schedule, RetrainState.Running, Start), (run.Trigger, run.State, run.StartedAt));
        Assert.Null(whileRunning);
        Assert.Equal((RetrainTrigger.Command, "host:1"), (byCommand?.Trigger, byCommand?.Worker));
        Assert.Equal(byCommand?.Id, (await two.LastStartedAsync(Cancel))?.Id);
    }
}
