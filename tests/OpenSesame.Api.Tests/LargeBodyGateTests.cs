using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace OpenSesame.Api.Tests;

public sealed class LargeBodyGateTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);
    private readonly ServiceProvider _services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();

    [Fact]
    public async Task ALargeBodyWaitsForTheOneSlotWhileSmallOnesPassAndIsAnswered503OnceItsWaitRunsOut()
    {
        using var gate = Gate(slots: 1, queueTimeout: TimeSpan.FromSeconds(10));
        var holding = new TaskCompletionSource();
        var first = gate.InvokeAsync(Request(contentLength: 5_000), () => holding.Task);
        Assert.Equal((1, 0), (gate.Working, gate.Waiting));

        var secondRequest = Request(contentLength: 5_000);
        var secondRan = false;
        var second = gate.InvokeAsync(secondRequest, () =>
        {
            secondRan = true;
            return Task.CompletedTask;
        });
        var smallRan = false;
        await gate.InvokeAsync(Request(contentLength: 999), () =>
        {
            smallRan = true;
            return Task.CompletedTask;
        });
        Assert.True(smallRan);
        Assert.Equal((1, 1), (gate.Working, gate.Waiting));

        _time.Advance(TimeSpan.FromSeconds(10));
        await second.WaitAsync(TimeSpan.FromSeconds(30), Cancel);
        Assert.False(secondRan);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, secondRequest.Response.StatusCode);
        Assert.Equal("1", secondRequest.Response.Headers.RetryAfter.ToString());
        Assert.Contains("Requests:LargeBodyQueueTimeout", (string?)Problem(secondRequest)["detail"], StringComparison.Ordinal);

        holding.SetResult();
        await first;
        // A body without a length may be of any size: it takes a slot too.
        var workingInThird = 0;
        await gate.InvokeAsync(Request(contentLength: null), () =>
        {
            workingInThird = gate.Working;
            return Task.CompletedTask;
        });
        Assert.Equal(1, workingInThird);
        Assert.Equal((0, 0), (gate.Working, gate.Waiting));
    }

    [Fact]
    public async Task AWaitingRequestGetsTheSlotWhenTheOneBeforeItIsAnswered()
    {
        using var gate = Gate(slots: 1, queueTimeout: TimeSpan.FromSeconds(10));
        var holding = new TaskCompletionSource();
        var first = gate.InvokeAsync(Request(contentLength: 5_000), () => holding.Task);
        var secondRan = new TaskCompletionSource();
        var second = gate.InvokeAsync(Request(contentLength: 5_000), () =>
        {
            secondRan.SetResult();
            return Task.CompletedTask;
        });
        Assert.False(secondRan.Task.IsCompleted);

        holding.SetResult();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30), Cancel);

        Assert.True(secondRan.Task.IsCompleted);
    }

    [Fact]
    public async Task AWaitingClientThatGoesAwayLeavesTheQueueWithoutAnAnswer()
    {
        using var gate = Gate(slots: 1, queueTimeout: TimeSpan.FromSeconds(10));
        var holding = new TaskCompletionSource();
        _ = gate.InvokeAsync(Request(contentLength: 5_000), () => holding.Task);
        using var gone = new CancellationTokenSource();
        var leaving = Request(contentLength: 5_000);
        leaving.RequestAborted = gone.Token;

        var waiting = gate.InvokeAsync(leaving, () => Task.CompletedTask);
        await gone.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30), Cancel));
        Assert.Equal((1, 0), (gate.Working, gate.Waiting));
        holding.SetResult();
    }

    private LargeBodyGate Gate(int slots, TimeSpan queueTimeout) => new(Options.Create(new RequestBodyOptions
    {
        LargeBodyBytes = 1_000,
        MaxConcurrentLargeBodies = slots,
        LargeBodyQueueTimeout = queueTimeout,
    }), _time);

    private DefaultHttpContext Request(long? contentLength)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentLength = contentLength;
        context.Response.Body = new MemoryStream();
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new HasBody());
        return context;
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    private static JsonNode Problem(DefaultHttpContext context)
    {
        context.Response.Body.Position = 0;
        return JsonNode.Parse(context.Response.Body)!;
    }
}
